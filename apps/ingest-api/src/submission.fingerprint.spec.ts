import { parseSubmission, type Submission } from '@app/contracts';
import { sampleSubmissions } from '@app/testing';
import { fingerprint, revisionKey } from './submission.fingerprint';

const normalised = (value: unknown): Submission => {
  const result = parseSubmission(value);
  if (!result.ok) throw new Error(JSON.stringify(result.violations));
  return result.submission;
};

describe('fingerprint', () => {
  it('is the same for two JSON spellings of the same submission', () => {
    const visit = sampleSubmissions().visit;
    const spelled = JSON.parse(JSON.stringify(visit)) as Record<string, unknown>;
    const event = (spelled.payload as Record<string, Record<string, unknown>>)[
      'cortege.OfficialVisit'
    ] as Record<string, unknown>;
    spelled.submittedAt = '2026-05-01T09:12:00+02:00';
    delete event.description; // defaults to null, as in the sample
    const reordered = Object.fromEntries(Object.entries(spelled).reverse());

    expect(fingerprint(normalised(reordered))).toBe(fingerprint(normalised(visit)));
    expect(fingerprint(visit)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('changes with any field', () => {
    const visit = sampleSubmissions().visit;
    const moved = { ...visit, submittedAt: visit.submittedAt + 1 };
    const other = { ...visit, source: 'cortege-other' };
    const fingerprints = new Set([visit, moved, other].map(fingerprint));
    expect(fingerprints.size).toBe(3);
  });

  it('never writes ±Infinity or NaN as null: a content that differs there is a conflict, not a duplicate', () => {
    const moving = sampleSubmissions().moving;
    const withLon = (lon: number | null): Submission => {
      type Route = { route: { coordinates: { lon: unknown }[] } };
      const copy = JSON.parse(JSON.stringify(moving)) as { payload: Record<string, Route> };
      copy.payload['cortege.MovingDemonstration']!.route.coordinates[0]!.lon = lon;
      return copy as unknown as Submission;
    };
    const fingerprints = [Infinity, -Infinity, NaN, null, 5.37].map((lon) =>
      fingerprint(withLon(lon)),
    );
    expect(new Set(fingerprints).size).toBe(5);
  });
});

describe('revisionKey', () => {
  it('is the event and its revision', () => {
    expect(revisionKey({ eventId: '0f8fad5b-d9cb-469f-a165-70867728950e', revision: 3 })).toBe(
      '0f8fad5b-d9cb-469f-a165-70867728950e#3',
    );
  });
});
