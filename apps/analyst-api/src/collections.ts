import {
  alertSeverityValues,
  alertStatusValues,
  eventKindValues,
  operationThemeValues,
  organiserStatusValues,
  type EventKind,
} from '@app/contracts';
import { invalidParameter } from './analyst.error';
import {
  parseBbox,
  parseDatetime,
  parseEnumList,
  parseInteger,
  parseNumber,
  parseUuidList,
  single,
  type Bbox,
  type Interval,
  type RawQuery,
} from './query-params';

/** The collections the API serves, in the order `/collections` lists them. */
export const COLLECTION_IDS = [
  'events',
  'presence',
  'tension-cells',
  'tension-days',
  'tension-zones',
  'hotspots',
  'alerts',
] as const;
export type CollectionId = (typeof COLLECTION_IDS)[number];

export interface CollectionInfo {
  readonly id: CollectionId;
  readonly title: string;
  readonly description: string;
  /** Parameters of `/items` beyond the standard ones (bbox, datetime, limit, offset, f). */
  readonly filters: Readonly<Record<string, string>>;
}

export const COLLECTIONS: Readonly<Record<CollectionId, CollectionInfo>> = {
  events: {
    id: 'events',
    title: 'Events',
    description:
      'The current revision of every event Cortège declared (moving and static demonstrations, ' +
      'scheduled operations, official visits): kind, scrubbed subject and description, times, ' +
      "counts expected and declared, organiser status, theme, and where it is (a march's " +
      "route, a rally's footprint, the points of operations and visits). `datetime` selects " +
      'the events under way at that instant or during that interval.',
    filters: {
      kind: `comma-separated kinds: ${eventKindValues.join(', ')}`,
      organiserStatus: `comma-separated: ${organiserStatusValues.join(', ')}`,
      theme: `comma-separated: ${operationThemeValues.join(', ')}`,
    },
  },
  presence: {
    id: 'presence',
    title: 'Presence of events in H3 cells',
    description:
      'Where and when each event is: one feature per H3 cell (resolution 10) and interval of ' +
      "occupation (a march's column passes, a rally stays). The geometry is the cell's hexagon.",
    filters: { eventId: 'comma-separated event ids (UUID)', cell: 'one H3 cell index' },
  },
  'tension-cells': {
    id: 'tension-cells',
    title: 'Tension per H3 cell and time bucket',
    description:
      'The tension model applied: for each H3 cell (resolutions 8, 9, 10) and time bucket, the ' +
      'load, the conflict, the score (= load + conflict) and the events that contribute.',
    filters: {
      resolution: 'H3 resolution of the cells',
      minScore: 'least score',
      eventId: 'comma-separated event ids: cells they contribute to',
      cell: 'one H3 cell index',
    },
  },
  'tension-days': {
    id: 'tension-days',
    title: 'Tension per H3 cell and day',
    description:
      'Each cell’s day (local day, Europe/Paris) at a glance: its peak score, its mean score ' +
      'over the 96 quarter hours, the most events at once. `datetime` selects the days it meets.',
    filters: {
      resolution: 'H3 resolution of the cells',
      minScore: 'least peak score',
      cell: 'one H3 cell index',
    },
  },
  'tension-zones': {
    id: 'tension-zones',
    title: 'Zones of tension',
    description:
      'Connected cells whose score reaches the threshold in the same buckets: the outline, ' +
      'the peak score and cell, the span (from the first bucket to the end of the last), the ' +
      'events involved and their kinds.',
    filters: {
      resolution: 'H3 resolution of the cells',
      minScore: 'least peak score',
      kind: 'comma-separated kinds: zones involving any of them',
      eventId: 'comma-separated event ids: zones involving any of them',
    },
  },
  hotspots: {
    id: 'hotspots',
    title: 'Hotspots (Getis–Ord Gi*)',
    description:
      'Per window (a local day, or an ISO week from its Monday, Europe/Paris) and resolution-9 ' +
      'cell of its study area (the cells with tension and their 1-rings): the value (the ' +
      "cell's score integrated over the window, in score hours), Gi* with binary weights on " +
      'the 1-ring including the cell (z-score), its two-sided p-value, the Benjamini–Hochberg ' +
      'q-value over the window, and whether the cell is a HOT or COLD spot at the stored alpha. ' +
      '`datetime` selects the windows it meets.',
    filters: {
      window: 'day or week',
      spot: 'comma-separated: HOT, COLD, NONE',
      cell: 'one H3 cell index',
    },
  },
  alerts: {
    id: 'alerts',
    title: 'Conflict alerts',
    description:
      'Pairs of declared events that meet in space (the same resolution-10 H3 cell or a ' +
      'neighbour) and in time under a pair rule of the configuration: both events with their ' +
      'kinds and the revisions the alert reflects, the rule and its severity, the cells where ' +
      'they meet (the geometry is their outline), the first meeting point and its ' +
      'arrondissement, the interval from the first meeting to the end of the last, and the ' +
      'status: ACTIVE, or RETRACTED once a revision or a cancel removed the conflict. The id is ' +
      'the pair (smaller event id, `:`, the other); `version` counts its changes, as published ' +
      'on cortege.alerts.v1. `datetime` selects the alerts whose interval meets it.',
    filters: {
      severity: `comma-separated: ${alertSeverityValues.join(', ')}`,
      status: `comma-separated: ${alertStatusValues.join(', ')} (active or retracted)`,
      eventId: 'comma-separated event ids: alerts involving any of them',
    },
  },
};

export function isCollectionId(id: string): id is CollectionId {
  return (COLLECTION_IDS as readonly string[]).includes(id);
}

/** The standard parameters of `/items`. */
export const ITEMS_PARAMETERS = ['bbox', 'bbox-crs', 'datetime', 'limit', 'offset', 'f'] as const;

/** The filters of one `/items` request, parsed and checked. */
export interface ItemsFilter {
  readonly bbox: Bbox | undefined;
  readonly datetime: Interval | undefined;
  readonly kinds: EventKind[] | undefined;
  readonly organiserStatuses: string[] | undefined;
  readonly themes: string[] | undefined;
  readonly eventIds: string[] | undefined;
  readonly cell: string | undefined;
  readonly resolution: number | undefined;
  readonly minScore: number | undefined;
  readonly window: 'day' | 'week' | undefined;
  readonly spots: string[] | undefined;
  readonly severities: string[] | undefined;
  readonly statuses: string[] | undefined;
}

const HOTSPOT_SPOTS = ['HOT', 'COLD', 'NONE'] as const;
const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const H3_CELL = /^[0-9a-f]{15}$/;

/** Parses the filters a collection takes; the caller has refused unknown parameters. */
export function parseItemsFilter(query: RawQuery, resolutions: readonly number[]): ItemsFilter {
  const text = (name: string) => single(query, name);
  const crs = text('bbox-crs');
  if (crs !== undefined && crs !== CRS84)
    throw invalidParameter('bbox-crs', `only ${CRS84} (longitude, latitude) is supported`);
  const bbox = text('bbox');
  const datetime = text('datetime');
  const kind = text('kind');
  const status = text('organiserStatus');
  const theme = text('theme');
  const eventId = text('eventId');
  const cell = text('cell');
  const resolution = text('resolution');
  const minScore = text('minScore');
  const window = text('window');
  const spot = text('spot');
  const severity = text('severity');
  const alertStatus = text('status');
  if (window !== undefined && window !== 'day' && window !== 'week')
    throw invalidParameter('window', `'${window.slice(0, 50)}' is not a window; use day or week`);
  if (cell !== undefined && !H3_CELL.test(cell))
    throw invalidParameter('cell', `'${cell.slice(0, 100)}' is not an H3 cell index`);
  const parsedResolution =
    resolution === undefined ? undefined : parseInteger('resolution', resolution, 0, 15);
  if (parsedResolution !== undefined && !resolutions.includes(parsedResolution))
    throw invalidParameter(
      'resolution',
      `${parsedResolution} is not scored; the scored resolutions are ${resolutions.join(', ')}`,
    );
  return {
    bbox: bbox === undefined ? undefined : parseBbox(bbox),
    datetime: datetime === undefined ? undefined : parseDatetime(datetime),
    kinds: kind === undefined ? undefined : parseEnumList('kind', kind, eventKindValues),
    organiserStatuses:
      status === undefined
        ? undefined
        : parseEnumList('organiserStatus', status, organiserStatusValues),
    themes: theme === undefined ? undefined : parseEnumList('theme', theme, operationThemeValues),
    eventIds: eventId === undefined ? undefined : parseUuidList('eventId', eventId),
    cell,
    resolution: parsedResolution,
    minScore: minScore === undefined ? undefined : parseNumber('minScore', minScore),
    window,
    spots: spot === undefined ? undefined : parseEnumList('spot', spot, HOTSPOT_SPOTS),
    severities:
      severity === undefined ? undefined : parseEnumList('severity', severity, alertSeverityValues),
    statuses:
      alertStatus === undefined
        ? undefined
        : parseEnumList('status', alertStatus, alertStatusValues),
  };
}
