import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ANNEX_1_ITEMS } from './annex-1';
import { PRESENCE_SCHEMA } from './generated/presence.schema.generated';
import { SUBMISSION_SCHEMA } from './generated/submission.schema.generated';
import { personalDataFields } from './personal-data.guard';
import type { AvroJson } from './schema-inliner';

const root = join(__dirname, '..', '..', '..');
const schemas = new Map(
  readdirSync(join(root, 'schemas'))
    .filter((f) => f.endsWith('.avsc'))
    .map((f) => {
      const schema = JSON.parse(readFileSync(join(root, 'schemas', f), 'utf8')) as {
        name: string;
        fields?: Array<{ name: string; doc?: string }>;
        symbols?: string[];
      };
      return [schema.name, schema] as const;
    }),
);
const annex = readFileSync(join(root, 'docs', 'annex-1.md'), 'utf8');
const mapped = [...annex.matchAll(/\|\s*`(\w+)\.(\w+)`\s*\|/g)].map(
  (m) => [m[1] ?? '', m[2] ?? ''] as const,
);
const KINDS = [
  'MovingDemonstration',
  'StaticDemonstration',
  'ScheduledOperation',
  'OfficialVisit',
  'Submission',
];

describe('docs/annex-1.md', () => {
  it('names only fields that exist in the schemas', () => {
    expect(mapped.length).toBeGreaterThan(40);
    const missing = mapped.filter(
      ([type, field]) => !schemas.get(type)?.fields?.some((f) => f.name === field),
    );
    expect(missing).toEqual([]);
  });

  it('covers every field of the envelope and of the four kinds', () => {
    const named = new Set(mapped.map(([type, field]) => `${type}.${field}`));
    const unnamed = KINDS.flatMap((kind) =>
      (schemas.get(kind)?.fields ?? [])
        .map((f) => `${kind}.${f.name}`)
        .filter((path) => !named.has(path)),
    );
    expect(unnamed).toEqual([]);
  });

  it('is what ANNEX_1_ITEMS says, item by item (the names cortege schema propose prints)', () => {
    const items = [...annex.matchAll(/^\|\s*([^|]+?)\s*\|\s*`(\w+\.\w+)`\s*\|\s*$/gm)].map(
      (m) => [m[2] ?? '', m[1] ?? ''] as const,
    );
    expect(Object.fromEntries(items)).toEqual(ANNEX_1_ITEMS);
  });

  it('lists every enum symbol of the schemas', () => {
    for (const name of ['OrganiserStatus', 'OperationTheme']) {
      for (const symbol of schemas.get(name)?.symbols ?? ['(none)'])
        expect(annex).toContain(`\`${symbol}\``);
    }
  });
});

describe('the schemas', () => {
  it('document every field in French and English', () => {
    const undocumented = [...schemas.values()].flatMap((s) =>
      (s.fields ?? [])
        .filter((f) => !f.doc || !f.doc.includes(' / '))
        .map((f) => `${s.name}.${f.name}`),
    );
    expect(undocumented).toEqual([]);
  });

  it('hold no field that could name a person', () => {
    expect(personalDataFields(SUBMISSION_SCHEMA as unknown as AvroJson)).toEqual([]);
    expect(personalDataFields(PRESENCE_SCHEMA as unknown as AvroJson)).toEqual([]);
  });

  it('would be caught holding one (the guard can fail)', () => {
    const planted = JSON.parse(JSON.stringify(SUBMISSION_SCHEMA)) as {
      fields: Array<{ name: string; type: unknown }>;
    };
    planted.fields.push(
      { name: 'organiserName', type: 'string' },
      { name: 'contactPhone', type: 'string' },
    );
    expect(personalDataFields(planted as unknown as AvroJson)).toEqual([
      'organiserName',
      'contactPhone',
    ]);
    expect(
      personalDataFields({
        type: 'record',
        name: 'X',
        fields: [
          { name: 'organiserStatus', type: 'string' },
          { name: 'email', type: 'string' },
        ],
      }),
    ).toEqual(['email']);
  });
});
