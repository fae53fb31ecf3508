import type { Submission } from '@app/contracts';
import { DEFAULT_LOCATOR_MODEL, locateEvent, regionOf } from '@app/geo';
import type { GeocodeResult, Geocoder } from '@app/geocoding';
import { sampleSubmissions } from '@app/testing';
import { locateSubmission } from './locate.use-case';

/** A gazetteer of known places, counting its calls; unknown addresses do not resolve. */
class KnownPlaces implements Geocoder {
  calls: string[] = [];
  constructor(private readonly places: Record<string, [number, number]>) {}
  geocode(query: string): Promise<GeocodeResult | null> {
    this.calls.push(query);
    const at = this.places[query];
    return Promise.resolve(
      at
        ? {
            position: { lon: at[0], lat: at[1] },
            score: 1,
            label: query,
            kind: 'place',
            source: 'gazetteer',
          }
        : null,
    );
  }
}

const NOW = Date.parse('2026-05-01T06:00:00Z');
const model = DEFAULT_LOCATOR_MODEL;

describe('locateSubmission', () => {
  it('splits a drawn march by H3 region without geocoding anything', async () => {
    const { moving } = sampleSubmissions();
    const geocoder = new KnownPlaces({});
    const outcome = await locateSubmission(moving, undefined, geocoder, model, NOW);
    expect(geocoder.calls).toEqual([]);
    if (outcome.kind !== 'located') throw new Error(outcome.kind);

    const expected = locateEvent(
      {
        kind: 'MOVING_DEMONSTRATION',
        event: moving.payload!['cortege.MovingDemonstration' as never],
      },
      [],
      model,
    );
    const cells = outcome.presence.flatMap((p) =>
      p.cells.map((c) => [p.region, c.cell, c.startAt, c.endAt]),
    );
    expect(cells.sort()).toEqual(
      (expected.geocodeQuality === 'none' ? [] : expected.presence)
        .map((c) => [regionOf(c.cell), c.cell, c.startAt, c.endAt])
        .sort(),
    );
    expect(
      outcome.presence.every((p) => p.action === 'UPSERT' && p.kind === 'MOVING_DEMONSTRATION'),
    ).toBe(true);
    // Every region's record carries the event's text and each count as the clean event has it.
    for (const presence of outcome.presence)
      expect(presence).toMatchObject({
        subject: 'Marche intersyndicale pour les salaires',
        description: 'Cortège festif, sono sur camion',
        peopleExpected: 4000,
        peopleDeclared: 3500,
        carsExpected: 3,
        carsDeclared: 2,
        organiserStatus: 'UNION',
        geocodeQuality: 'EXACT',
      });
    expect(JSON.parse(outcome.presence[0]?.geometry ?? 'null')).toMatchObject({
      type: 'LineString',
    });
    expect(outcome.record).toEqual({
      revision: 1,
      regions: new Set(outcome.presence.map((p) => p.region)),
    });
  });

  it('clears the regions a new revision leaves, and every region on cancel', async () => {
    const { visit } = sampleSubmissions();
    const vieuxPort: [number, number] = [5.3698, 43.2965];
    const aix: [number, number] = [5.4474, 43.5297];
    const geocoder = new KnownPlaces({
      'Hôtel de Ville, Quai du Port, 13002 Marseille': vieuxPort,
      'Cours Mirabeau, Aix': aix,
    });
    const first = await locateSubmission(visit, undefined, geocoder, model, NOW);
    if (first.kind !== 'located') throw new Error(first.kind);
    const marseille = [...first.record.regions];
    expect(marseille).toHaveLength(1);
    // A visit has no counts; its text goes through, a missing description stays null.
    expect(first.presence[0]).toMatchObject({
      subject: 'Visite ministérielle',
      description: null,
      peopleExpected: null,
      carsDeclared: null,
    });

    const event = visit.payload!['cortege.OfficialVisit' as never] as object;
    const moved: Submission = {
      ...visit,
      revision: 2,
      payload: {
        'cortege.OfficialVisit': { ...event, addresses: ['Cours Mirabeau, Aix'] },
      } as unknown as Submission['payload'],
    };
    const second = await locateSubmission(moved, first.record, geocoder, model, NOW);
    if (second.kind !== 'located') throw new Error(second.kind);
    const cleared = second.presence.filter((p) => p.cells.length === 0);
    expect(cleared.map((p) => [p.region, p.action])).toEqual([[marseille[0], 'UPSERT']]);
    // A region left carries no attributes: no text either.
    expect(cleared.map((p) => [p.kind, p.subject, p.description])).toEqual([[null, null, null]]);
    expect(second.record.regions.has(marseille[0] as string)).toBe(false);

    const cancel: Submission = { ...visit, revision: 3, action: 'CANCEL', payload: null };
    const third = await locateSubmission(cancel, second.record, geocoder, model, NOW);
    if (third.kind !== 'located') throw new Error(third.kind);
    expect(
      third.presence.map((p) => [p.region, p.action, p.cells.length, p.subject, p.description]),
    ).toEqual([...second.record.regions].sort().map((r) => [r, 'CANCEL', 0, null, null]));
    expect(third.record.regions.size).toBe(0);
  });

  it('skips a replayed revision, dead-letters an event with no place, and keeps a partly placed one', async () => {
    const { operation } = sampleSubmissions();
    const geocoder = new KnownPlaces({ 'Gare Saint-Charles, 13001 Marseille': [5.3806, 43.3026] });
    expect(
      await locateSubmission(operation, { revision: 1, regions: new Set() }, geocoder, model, NOW),
    ).toEqual({ kind: 'skipped' });

    const partial = await locateSubmission(operation, undefined, geocoder, model, NOW);
    expect(partial.kind).toBe('located');
    expect(partial.kind === 'located' && partial.presence[0]?.geocodeQuality).toBe('PARTIAL');
    expect(partial.kind === 'located' && partial.unresolved).toEqual([
      'Boulevard d’Athènes, 13001 Marseille',
    ]);

    const nowhere = await locateSubmission(operation, undefined, new KnownPlaces({}), model, NOW);
    expect(nowhere).toEqual({
      kind: 'not_found',
      addresses: ['Gare Saint-Charles, 13001 Marseille', 'Boulevard d’Athènes, 13001 Marseille'],
    });
  });
});
