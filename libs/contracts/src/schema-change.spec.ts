import { ANNEX_1_ITEMS } from './annex-1';
import { SUBMISSION_SCHEMA } from './generated/submission.schema.generated';
import { describeSchemaChange, schemaChanges } from './schema-change';
import type { AvroJson } from './schema-inliner';

type Json = { [key: string]: unknown };
const copy = () => JSON.parse(JSON.stringify(SUBMISSION_SCHEMA)) as Json;
const fieldsOf = (schema: Json) => schema.fields as Json[];
/** The MovingDemonstration record inside the payload union of a copy. */
const moving = (schema: Json) =>
  (fieldsOf(schema).find((f) => f.name === 'payload')?.type as Json[]).find(
    (b) => typeof b === 'object' && b.name === 'MovingDemonstration',
  ) as Json;

describe('schemaChanges', () => {
  it('finds nothing between a schema and itself', () => {
    expect(schemaChanges(copy() as AvroJson, copy() as AvroJson)).toEqual([]);
  });

  it('names a field added with a default, and one added without, by their Annex 1 item or none', () => {
    const after = copy();
    fieldsOf(after).push({ name: 'channel', type: 'string', default: 'web', doc: 'a / b' });
    fieldsOf(moving(after)).push({ name: 'stewards', type: 'int', doc: 'a / b' });
    expect(schemaChanges(copy() as AvroJson, after as AvroJson)).toEqual([
      { kind: 'field_added', path: 'Submission.channel', after: 'string, default "web"' },
      {
        kind: 'field_added',
        path: 'MovingDemonstration.stewards',
        after: 'int',
        breaks: 'added without a default: data written before cannot be read',
      },
    ]);
  });

  it('names a removed field and a changed type by their Annex 1 item', () => {
    const after = copy();
    const record = moving(after);
    record.fields = fieldsOf(record).filter((f) => f.name !== 'carsDeclared');
    const people = fieldsOf(record).find((f) => f.name === 'peopleExpected') as Json;
    const before = JSON.stringify(people.type);
    people.type = ['null', 'long'];
    const changes = schemaChanges(copy(), after);
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'field_removed',
        path: 'MovingDemonstration.carsDeclared',
        annex1: ANNEX_1_ITEMS['MovingDemonstration.carsDeclared'],
      }),
      expect.objectContaining({
        kind: 'type_changed',
        path: 'MovingDemonstration.peopleExpected',
        annex1: 'nombre de personnes attendues / people expected',
        after: 'null | long',
      }),
    ]);
    expect(before).not.toBe(JSON.stringify(people.type));
    expect(describeSchemaChange(changes[1] as (typeof changes)[number])).toBe(
      `field MovingDemonstration.peopleExpected: type ${changes[1]?.before} → null | long [Annex 1: nombre de personnes attendues / people expected]`,
    );
  });

  it('names a default changed and enum symbols removed as breaking', () => {
    const after = copy();
    const text = JSON.stringify(after)
      .replace('"POLITICAL_PARTY",', '')
      .replace('"name":"revision","type":"int"', '"name":"revision","type":"int","default":1');
    const changes = schemaChanges(copy(), JSON.parse(text) as AvroJson);
    expect(changes).toEqual([
      {
        kind: 'default_changed',
        path: 'Submission.revision',
        annex1: 'révision / revision',
        before: '(none)',
        after: '1',
      },
      expect.objectContaining({
        kind: 'symbols_changed',
        path: 'OrganiserStatus',
        breaks: 'symbols removed (POLITICAL_PARTY): data holding them cannot be read',
      }),
    ]);
  });
});
