// The analysts' map: MapLibre GL JS over the API's vector tiles and collections, signed in with
// OpenID Connect (authorization code + PKCE, oidc-client-ts), live through /live.
// Served as it is (no bundler); `maplibregl` and `oidc` are the globals of the two scripts
// index.html loads first. Every datum is read through the API with the bearer token, in
// headers only: never in a URL.

const config = JSON.parse(document.getElementById('map-config').textContent);
const ORIGIN = window.location.origin;
const PARIS = 'Europe/Paris';
const BUCKET_MS = 15 * 60_000;
const MARSEILLE = { center: [5.3745, 43.2965], zoom: 13 };

/** Cell scores: the legend's classes and the cells' colours (viridis, reversed: dark is high). */
const SCORE_CLASSES = [
  { from: 0, colour: '#fde725' },
  { from: 2, colour: '#90d743' },
  { from: 5, colour: '#35b779' },
  { from: 10, colour: '#21918c' },
  { from: 15, colour: '#31688e' },
  { from: 20, colour: '#443983' },
  { from: 25, colour: '#440154' },
];
/** Okabe–Ito colours by kind, told apart by shape too (line, area, circle, diamond). */
const KIND = {
  MOVING_DEMONSTRATION: { label: 'March', colour: '#e69f00' },
  STATIC_DEMONSTRATION: { label: 'Rally', colour: '#cc79a7' },
  SCHEDULED_OPERATION: { label: 'Police operation', colour: '#56b4e9' },
  OFFICIAL_VISIT: { label: 'Official visit', colour: '#009e73' },
};
const kindLabel = (kind) => KIND[kind]?.label ?? kind;

// ---- time: the local day of Paris and its quarter hours --------------------------------------

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});
const parts = (instant) =>
  Object.fromEntries(parisParts.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
/** Paris's offset from UTC at `instant`, ms. */
function offsetAt(instant) {
  const p = parts(instant);
  const asUtc = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
  return asUtc - Math.floor(instant / 60_000) * 60_000;
}
/** The instant local midnight starts `day` (YYYY-MM-DD) in Paris. */
function midnight(day) {
  const [y, m, d] = day.split('-').map(Number);
  const utc = Date.UTC(y, m - 1, d);
  return utc - offsetAt(utc - offsetAt(utc));
}
function nextDay(day) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
/** The starts of the day's buckets (96; 92 or 100 when the clocks change). */
function bucketsOf(day) {
  const list = [];
  for (let t = midnight(day), end = midnight(nextDay(day)); t < end; t += BUCKET_MS) list.push(t);
  return list;
}
const hhmm = (instant) => {
  const p = parts(instant);
  return `${p.hour}:${p.minute}`;
};
const todayInParis = () => {
  const p = parts(Date.now());
  return `${p.year}-${p.month}-${p.day}`;
};
const iso = (instant) => new Date(instant).toISOString().replace('.000Z', 'Z');

/** The H3 resolution the API draws at zoom `z` (8 up to 11, 9 up to 13, 10 beyond). */
const resolutionAt = (z) => (Math.floor(z) <= 11 ? 8 : Math.floor(z) <= 13 ? 9 : 10);

// ---- state, kept in the URL: ?day=…&t=HH:MM, and #zoom/lat/lon (MapLibre's hash) -------------

const state = {
  day: todayInParis(),
  buckets: [],
  index: 0,
  /** The data version: bumped by each live change, it makes every tile URL new. */
  version: 0,
  march: null,
  playing: null,
};
/** The view the URL asks for (read once signed in: the issuer's redirect carries no view). */
function readView() {
  const query = new URLSearchParams(window.location.search);
  const day = query.get('day') ?? '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(day)) state.day = day;
  state.buckets = bucketsOf(state.day);
  return { t: query.get('t') };
}
const bucketStart = () => state.buckets[state.index];

function writeUrl() {
  const params = new URLSearchParams({ day: state.day, t: hhmm(bucketStart()) });
  window.history.replaceState(null, '', `/map?${params}${window.location.hash}`);
}

// ---- sign-in --------------------------------------------------------------------------------

const users = new oidc.UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: `${ORIGIN}/map`,
  response_type: 'code',
  scope: 'openid',
  loadUserInfo: false,
  automaticSilentRenew: false,
  userStore: new oidc.WebStorageStateStore({ store: window.sessionStorage }),
});
let user = null;

/** The signed-in user: back from the issuer (the URL is cleaned at once), or from this tab. */
async function signedIn() {
  const params = new URLSearchParams(window.location.search);
  if (params.has('code') && params.has('state')) {
    const back = await users.signinRedirectCallback();
    window.history.replaceState(null, '', back.state?.view ?? '/map');
    return back;
  }
  const held = await users.getUser();
  return held && !held.expired ? held : null;
}

function askToSignIn(message = '') {
  const dialog = document.getElementById('sign-in');
  document.getElementById('sign-in-error').textContent = message;
  dialog.hidden = false;
  // Modal: the page behind takes neither focus nor clicks until the user is signed in.
  for (const behind of document.querySelectorAll('header, main')) behind.inert = true;
  document.getElementById('sign-in-button').focus();
}
document.getElementById('sign-in-button').addEventListener('click', () => {
  const { pathname, search, hash } = window.location;
  void users.signinRedirect({ state: { view: `${pathname}${search}${hash}` } });
});
document.getElementById('sign-out').addEventListener('click', () => {
  void users.removeUser().then(() => window.location.assign('/map'));
});

/** GET on the API with the token; a refusal of the token asks to sign in again. */
async function api(path) {
  const response = await fetch(`${ORIGIN}${path}`, {
    headers: { Authorization: `Bearer ${user.access_token}`, Accept: 'application/json' },
  });
  if (response.status === 401) {
    askToSignIn('Your session has ended: sign in again.');
    throw new Error('signed out');
  }
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

// ---- the map ----------------------------------------------------------------------------------

maplibregl.setWorkerUrl('/map/maplibre-gl-worker.js');

const tiles = (layer, datetime) =>
  `${ORIGIN}/tiles/${layer}/{z}/{x}/{y}.mvt?${new URLSearchParams({
    ...(datetime ? { datetime } : {}),
    v: String(state.version),
  })}`;
const bucketInstant = () => iso(bucketStart());
const bucketSpan = () => `${iso(bucketStart())}/${iso(bucketStart() + BUCKET_MS - 1000)}`;

/** The gazetteer's base: approximate arrondissements, streets and named places (no labels: no glyphs offline). */
const OWN_BASE = {
  version: 8,
  sources: {
    base: {
      type: 'vector',
      tiles: [tiles('base')],
      minzoom: 10,
      maxzoom: 16,
      attribution:
        'Base: Base Adresse Nationale (Licence Ouverte), places © OpenStreetMap contributors (ODbL); arrondissements approximate',
    },
  },
  layers: [
    { id: 'background', type: 'background', paint: { 'background-color': '#f3f1eb' } },
    {
      id: 'base-arrondissements',
      type: 'fill',
      source: 'base',
      'source-layer': 'arrondissements',
      paint: { 'fill-color': '#e7e3d8', 'fill-outline-color': '#9c9584' },
    },
    {
      id: 'base-streets',
      type: 'line',
      source: 'base',
      'source-layer': 'streets',
      paint: {
        'line-color': '#b9b2a2',
        'line-width': ['interpolate', ['linear'], ['zoom'], 12, 1, 16, 4],
      },
    },
    {
      id: 'base-places',
      type: 'circle',
      source: 'base',
      'source-layer': 'places',
      paint: { 'circle-radius': 3, 'circle-color': '#6b7280' },
    },
  ],
};

const scoreColour = [
  'step',
  ['get', 'score'],
  SCORE_CLASSES[0].colour,
  ...SCORE_CLASSES.slice(1).flatMap((c) => [c.from, c.colour]),
];
const kindColour = [
  'match',
  ['get', 'kind'],
  ...Object.entries(KIND).flatMap(([kind, k]) => [kind, k.colour]),
  '#000000',
];

/** The data layers, over whatever base is drawn. */
function addDataLayers(map) {
  const data = 'Cortège data: Préfecture de Police des Bouches-du-Rhône';
  map.addSource('cells', {
    type: 'vector',
    tiles: [tiles('tension-cells', bucketInstant())],
    maxzoom: 16,
    attribution: data,
  });
  map.addSource('zones', {
    type: 'vector',
    tiles: [tiles('tension-zones', bucketInstant())],
    maxzoom: 16,
  });
  map.addSource('events', { type: 'vector', tiles: [tiles('events', bucketSpan())], maxzoom: 16 });
  map.addSource('column', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addSource('hotspots', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  const hotspotVisibility = hotspotToggle.checked ? 'visible' : 'none';
  map.addSource('alerts', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  const alertVisibility = alertToggle.checked ? 'visible' : 'none';
  const severityColour = (high, medium, low) => [
    'match',
    ['get', 'severity'],
    'HIGH',
    high,
    'MEDIUM',
    medium,
    low,
  ];
  const layers = [
    {
      id: 'cells',
      type: 'fill',
      source: 'cells',
      'source-layer': 'tension-cells',
      paint: { 'fill-color': scoreColour, 'fill-opacity': 0.7 },
    },
    {
      id: 'cells-outline',
      type: 'line',
      source: 'cells',
      'source-layer': 'tension-cells',
      paint: { 'line-color': '#ffffff', 'line-width': 0.5 },
    },
    // The day's hot (red) and cold (blue) spots that pass Benjamini–Hochberg at their alpha.
    {
      id: 'hotspots-fill',
      type: 'fill',
      source: 'hotspots',
      layout: { visibility: hotspotVisibility },
      paint: {
        'fill-color': ['match', ['get', 'spot'], 'HOT', '#d7191c', '#2c7bb6'],
        'fill-opacity': 0.35,
      },
    },
    {
      id: 'hotspots-outline',
      type: 'line',
      source: 'hotspots',
      layout: { visibility: hotspotVisibility },
      paint: {
        'line-color': ['match', ['get', 'spot'], 'HOT', '#a50f15', '#08519c'],
        'line-width': 2,
      },
    },
    // The day's active conflict alerts: where two events meet, by the severity of their rule.
    {
      id: 'alerts-fill',
      type: 'fill',
      source: 'alerts',
      layout: { visibility: alertVisibility },
      paint: {
        'fill-color': severityColour('#7a0177', '#dd3497', '#fa9fb5'),
        'fill-opacity': 0.4,
      },
    },
    {
      id: 'alerts-outline',
      type: 'line',
      source: 'alerts',
      layout: { visibility: alertVisibility },
      paint: {
        'line-color': severityColour('#7a0177', '#dd3497', '#f768a1'),
        'line-width': 2,
        'line-dasharray': [2, 1],
      },
    },
    {
      id: 'events-footprint',
      type: 'fill',
      source: 'events',
      'source-layer': 'events',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': kindColour, 'fill-opacity': 0.35 },
    },
    {
      id: 'events-footprint-outline',
      type: 'line',
      source: 'events',
      'source-layer': 'events',
      filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'line-color': kindColour, 'line-width': 2, 'line-dasharray': [2, 1] },
    },
    {
      id: 'events-route-casing',
      type: 'line',
      source: 'events',
      'source-layer': 'events',
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': '#000000', 'line-width': 6 },
    },
    {
      id: 'events-route',
      type: 'line',
      source: 'events',
      'source-layer': 'events',
      filter: ['==', ['geometry-type'], 'LineString'],
      paint: { 'line-color': kindColour, 'line-width': 3.5 },
    },
    {
      id: 'column',
      type: 'line',
      source: 'column',
      paint: { 'line-color': '#000000', 'line-width': 3, 'line-dasharray': [1, 1] },
    },
    {
      id: 'zones-fill',
      type: 'fill',
      source: 'zones',
      'source-layer': 'tension-zones',
      paint: { 'fill-color': '#000000', 'fill-opacity': 0.01 },
    },
    {
      id: 'zones-casing',
      type: 'line',
      source: 'zones',
      'source-layer': 'tension-zones',
      paint: { 'line-color': '#ffffff', 'line-width': 5 },
    },
    {
      id: 'zones',
      type: 'line',
      source: 'zones',
      'source-layer': 'tension-zones',
      paint: { 'line-color': '#000000', 'line-width': 2.5 },
    },
    {
      id: 'events-points',
      type: 'circle',
      source: 'events',
      'source-layer': 'events',
      filter: ['==', ['geometry-type'], 'Point'],
      paint: {
        'circle-color': kindColour,
        'circle-radius': 7,
        'circle-stroke-color': '#000000',
        'circle-stroke-width': 2,
      },
    },
  ];
  for (const layer of layers) map.addLayer(layer);
}

/** Points every data source at the current bucket and data version. */
function refreshSources(map) {
  map.getSource('cells').setTiles([tiles('tension-cells', bucketInstant())]);
  map.getSource('zones').setTiles([tiles('tension-zones', bucketInstant())]);
  map.getSource('events').setTiles([tiles('events', bucketSpan())]);
}

// ---- hotspots: Gi* of the day, a layer the analyst turns on -----------------------------------

const hotspotToggle = document.getElementById('hotspots-toggle');

/** Loads the day's hot and cold spots into their layer (when it is on). */
async function refreshHotspots(map) {
  if (!hotspotToggle.checked) return;
  const day = state.day;
  const span = `${iso(midnight(day))}/${iso(midnight(nextDay(day)) - 1000)}`;
  const page = await api(
    `/collections/hotspots/items?${new URLSearchParams({ window: 'day', spot: 'HOT,COLD', datetime: span, limit: '10000' })}`,
  );
  if (day !== state.day) return;
  map.getSource('hotspots').setData({ type: 'FeatureCollection', features: page.features });
  const probe = window.cortegeMap;
  if (probe) probe.hotspots = { day, count: page.features.length };
}

function wireHotspots(map) {
  hotspotToggle.addEventListener('change', () => {
    const visibility = hotspotToggle.checked ? 'visible' : 'none';
    for (const id of ['hotspots-fill', 'hotspots-outline'])
      map.setLayoutProperty(id, 'visibility', visibility);
    void refreshHotspots(map).catch(report);
  });
}

const hotspotDetails = (p) =>
  details(p.spot === 'HOT' ? 'Hot spot (Getis–Ord Gi*)' : 'Cold spot (Getis–Ord Gi*)', [
    ['Cell', p.cell],
    ['Day', p.start],
    ['z', Number(p.z).toFixed(2)],
    ['q (Benjamini–Hochberg)', Number(p.q).toExponential(2)],
    ['alpha', p.alpha],
    ['Score hours', Number(p.value).toFixed(2)],
  ]);

// ---- conflict alerts: the day's active ones, a layer the analyst turns on ------------------------

const alertToggle = document.getElementById('alerts-toggle');

/** Loads the active alerts whose interval meets the day into their layer (when it is on). */
async function refreshAlerts(map) {
  if (!alertToggle.checked) return;
  const day = state.day;
  const span = `${iso(midnight(day))}/${iso(midnight(nextDay(day)) - 1000)}`;
  const page = await api(
    `/collections/alerts/items?${new URLSearchParams({ status: 'ACTIVE', datetime: span, limit: '10000' })}`,
  );
  if (day !== state.day) return;
  map.getSource('alerts').setData({ type: 'FeatureCollection', features: page.features });
  const probe = window.cortegeMap;
  if (probe) probe.alerts = { day, count: page.features.length };
}

function wireAlerts(map) {
  alertToggle.addEventListener('change', () => {
    const visibility = alertToggle.checked ? 'visible' : 'none';
    for (const id of ['alerts-fill', 'alerts-outline'])
      map.setLayoutProperty(id, 'visibility', visibility);
    void refreshAlerts(map).catch(report);
  });
}

/** GeoJSON sources give nested properties back as JSON text. */
const parsed = (value) => (typeof value === 'string' ? JSON.parse(value) : value);

const alertDetails = (p) => {
  const [a, b] = [parsed(p.eventA), parsed(p.eventB)];
  return details(`Conflict alert (${p.severity})`, [
    ['Rule', p.rule],
    ['Events', `${a.kind} r${a.revision} × ${b.kind} r${b.revision}`],
    ['When', timeRange(p.start, p.end)],
    ['Arrondissement', p.arrondissement ?? '—'],
    ['Version', p.version],
  ]);
};

// ---- popups -----------------------------------------------------------------------------------

const timeRange = (start, end) => `${hhmm(Date.parse(start))}–${hhmm(Date.parse(end))}`;
function details(title, rows) {
  const box = document.createElement('div');
  const h = document.createElement('h3');
  h.textContent = title;
  const dl = document.createElement('dl');
  for (const [name, value] of rows) {
    if (value === null || value === undefined || value === '') continue;
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = String(value);
    dl.append(dt, dd);
  }
  box.append(h, dl);
  return box;
}
/** An event as the tiles (snake_case) or the collection (camelCase) give it. */
function eventOf(p) {
  return {
    id: p.event_id ?? p.id,
    kind: p.kind,
    subject: p.subject,
    start: p.start ?? p.startAt,
    end: p.end ?? p.endAt,
    people: p.people ?? (Math.max(p.peopleExpected ?? 0, p.peopleDeclared ?? 0) || null),
    cars: p.cars ?? (Math.max(p.carsExpected ?? 0, p.carsDeclared ?? 0) || null),
    organiserStatus: p.organiser_status ?? p.organiserStatus,
    theme: p.theme,
  };
}
const eventDetails = (e) =>
  details(kindLabel(e.kind), [
    ['Subject', e.subject],
    ['Time', timeRange(e.start, e.end)],
    ['People', e.people],
    ['Cars', e.cars],
    ['Organiser', e.organiserStatus],
    ['Theme', e.theme],
  ]);
/** A zone as the tiles or the collection give it. */
function zoneOf(p) {
  const kinds = Array.isArray(p.kinds)
    ? p.kinds
    : String(p.kinds ?? '')
        .split(',')
        .filter(Boolean);
  return {
    id: p.zone_id ?? p.id,
    peak: Number(p.peak_score ?? p.peakScore),
    start: p.start,
    end: p.end,
    cells: p.cell_count ?? p.cellCount,
    kinds,
  };
}
const zoneDetails = (z) =>
  details('Zone of tension', [
    ['Peak score', z.peak.toFixed(1)],
    ['Span', timeRange(z.start, z.end)],
    ['Cells', z.cells],
    ['Kinds', z.kinds.map(kindLabel).join(', ')],
  ]);

let popup = null;
let opener = null;
function openPopup(map, lngLat, content) {
  popup?.remove();
  opener = document.activeElement;
  popup = new maplibregl.Popup({ maxWidth: '22rem', focusAfterOpen: true })
    .setLngLat(lngLat)
    .setDOMContent(content)
    .addTo(map);
  popup.on('close', () => {
    if (opener instanceof HTMLElement && document.body.contains(opener)) opener.focus();
  });
}
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && popup?.isOpen()) popup.remove();
});

// ---- the list of the bucket, the zones' peak labels, a march's column -----------------------

let markers = [];

/**
 * Zone labels never overlap: highest peak first, a label whose box (in screen pixels, from its
 * text) meets one already shown is hidden; its zone stays outlined and in the list. Runs on
 * each move, as the distances between labels change with the zoom.
 */
function declutter(map) {
  const shown = [];
  for (const marker of markers) {
    const element = marker.getElement();
    const { x, y } = map.project(marker.getLngLat());
    const half = { w: (element.textContent.length * 8 + 20) / 2, h: 12 };
    const box = { x0: x - half.w, x1: x + half.w, y0: y - half.h, y1: y + half.h };
    const meets = shown.some(
      (b) => box.x0 < b.x1 && b.x0 < box.x1 && box.y0 < b.y1 && b.y0 < box.y1,
    );
    element.hidden = meets;
    if (!meets) shown.push(box);
  }
}
/** A point of a GeoJSON geometry to attach a popup or a label to: its first vertex's ring centre. */
function anchorOf(geometry) {
  const ring =
    geometry.type === 'MultiPolygon'
      ? geometry.coordinates[0][0]
      : geometry.type === 'Polygon'
        ? geometry.coordinates[0]
        : geometry.type === 'LineString'
          ? [geometry.coordinates[Math.floor(geometry.coordinates.length / 2)]]
          : geometry.type === 'MultiPoint'
            ? [geometry.coordinates[0]]
            : [geometry.coordinates];
  const sum = ring.reduce((s, [x, y]) => [s[0] + x, s[1] + y], [0, 0]);
  return [sum[0] / ring.length, sum[1] / ring.length];
}
function listItem(list, label, onActivate) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = label;
  button.addEventListener('click', () => onActivate(button));
  li.append(button);
  list.append(li);
  return button;
}

async function refreshBucket(map) {
  const at = bucketStart();
  const resolution = resolutionAt(map.getZoom());
  const [zones, events] = await Promise.all([
    api(
      `/collections/tension-zones/items?${new URLSearchParams({ datetime: bucketInstant(), resolution: String(resolution), limit: '1000' })}`,
    ),
    api(
      `/collections/events/items?${new URLSearchParams({ datetime: bucketSpan(), limit: '1000' })}`,
    ),
  ]);
  if (at !== bucketStart()) return; // the slider moved on meanwhile
  for (const m of markers) m.remove();
  markers = [];
  const zoneList = document.getElementById('zones');
  const eventList = document.getElementById('events');
  zoneList.replaceChildren();
  eventList.replaceChildren();
  for (const feature of [...zones.features].sort(
    (a, b) => b.properties.peakScore - a.properties.peakScore,
  )) {
    const zone = zoneOf({ ...feature.properties, id: feature.id });
    const where = anchorOf(feature.geometry);
    const show = () => openPopup(map, where, zoneDetails(zone));
    listItem(
      zoneList,
      `Peak ${zone.peak.toFixed(1)} · ${zone.kinds.map(kindLabel).join(', ')}`,
      show,
    );
    const label = document.createElement('button');
    label.type = 'button';
    label.className = 'zone-label';
    label.textContent = zone.peak.toFixed(1);
    label.setAttribute('aria-label', `Zone of tension, peak ${zone.peak.toFixed(1)}`);
    label.addEventListener('click', (event) => {
      event.stopPropagation();
      show();
    });
    markers.push(new maplibregl.Marker({ element: label }).setLngLat(where).addTo(map));
  }
  declutter(map);
  if (zones.features.length === 0)
    listItem(zoneList, 'None in this quarter hour', () => undefined).disabled = true;
  for (const feature of events.features) {
    const e = eventOf({ ...feature.properties, id: feature.id });
    const button = listItem(eventList, `${kindLabel(e.kind)} · ${e.subject ?? '—'}`, () => {
      openPopup(map, anchorOf(feature.geometry), eventDetails(e));
      if (e.kind === 'MOVING_DEMONSTRATION')
        void selectMarch(map, state.march === e.id ? null : e.id);
    });
    if (e.kind === 'MOVING_DEMONSTRATION')
      button.setAttribute('aria-pressed', String(state.march === e.id));
  }
  if (events.features.length === 0)
    listItem(eventList, 'None under way', () => undefined).disabled = true;
  await showColumn(map);
}

/** Where the selected march's column is in the current bucket: its cells, outlined. */
async function showColumn(map) {
  const source = map.getSource('column');
  if (state.march === null) {
    source.setData({ type: 'FeatureCollection', features: [] });
    return;
  }
  const cells = await api(
    `/collections/presence/items?${new URLSearchParams({ eventId: state.march, datetime: bucketInstant(), limit: '10000' })}`,
  );
  source.setData({ type: 'FeatureCollection', features: cells.features });
}
async function selectMarch(map, id) {
  state.march = id;
  for (const button of document.querySelectorAll('#events button[aria-pressed]'))
    button.setAttribute('aria-pressed', 'false');
  await showColumn(map);
}

// ---- time controls ----------------------------------------------------------------------------

const dayInput = document.getElementById('day');
const slider = document.getElementById('bucket');
const label = document.getElementById('bucket-label');
const playButton = document.getElementById('play');

function showBucket() {
  const text = `${hhmm(bucketStart())}–${hhmm(bucketStart() + BUCKET_MS)}`;
  slider.max = String(state.buckets.length - 1);
  slider.value = String(state.index);
  slider.setAttribute('aria-valuetext', text);
  label.textContent = text;
  writeUrl();
}

/** The bucket of the day's highest zone, else noon. */
async function peakIndex() {
  const day = `${iso(state.buckets[0])}/${iso(state.buckets[state.buckets.length - 1] + BUCKET_MS - 1000)}`;
  const zones = await api(
    `/collections/tension-zones/items?${new URLSearchParams({ datetime: day, limit: '10000' })}`,
  );
  let best = null;
  for (const f of zones.features)
    if (best === null || f.properties.peakScore > best.properties.peakScore) best = f;
  const at = best ? Date.parse(best.properties.start) : midnight(state.day) + 12 * 3_600_000;
  return Math.max(
    0,
    state.buckets.findIndex((t) => t >= at),
  );
}

function moveTo(map, index) {
  state.index = Math.min(Math.max(index, 0), state.buckets.length - 1);
  showBucket();
  refreshSources(map);
  void refreshBucket(map).catch(report);
}

function wireTime(map) {
  dayInput.value = state.day;
  dayInput.addEventListener('change', () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dayInput.value)) return;
    state.day = dayInput.value;
    state.buckets = bucketsOf(state.day);
    state.march = null;
    void peakIndex().then((i) => moveTo(map, i), report);
    void refreshHotspots(map).catch(report);
    void refreshAlerts(map).catch(report);
  });
  slider.addEventListener('input', () => moveTo(map, Number(slider.value)));
  playButton.addEventListener('click', () => {
    if (state.playing) {
      clearInterval(state.playing);
      state.playing = null;
    } else {
      state.playing = setInterval(
        () => moveTo(map, (state.index + 1) % state.buckets.length),
        1500,
      );
    }
    playButton.textContent = state.playing ? 'Pause' : 'Play';
    playButton.setAttribute('aria-pressed', String(state.playing !== null));
  });
}

// ---- live: server-sent events read with fetch, so the token travels in a header -------------

const liveBadge = document.getElementById('live');
function onChange(map) {
  state.version += 1;
  refreshSources(map);
  void refreshBucket(map).catch(report);
}
async function live(map) {
  for (;;) {
    try {
      const response = await fetch(`${ORIGIN}/live`, {
        headers: { Authorization: `Bearer ${user.access_token}`, Accept: 'text/event-stream' },
        cache: 'no-store',
      });
      if (response.status === 401) {
        askToSignIn('Your session has ended: sign in again.');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`/live: ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const name = /^event: (.*)$/m.exec(buffer.slice(0, end))?.[1];
          buffer = buffer.slice(end + 2);
          if (name === 'ready') {
            liveBadge.textContent = 'live';
            liveBadge.classList.add('on');
          }
          if (name === 'tension' || name === 'resync') onChange(map);
        }
      }
    } catch (error) {
      report(error);
    }
    liveBadge.textContent = 'offline';
    liveBadge.classList.remove('on');
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function report(error) {
  if (error?.message !== 'signed out') console.warn(error);
}

// ---- start --------------------------------------------------------------------------------------

function legend() {
  const list = document.getElementById('legend');
  SCORE_CLASSES.forEach((c, i) => {
    const li = document.createElement('li');
    li.style.setProperty('--swatch', c.colour);
    const next = SCORE_CLASSES[i + 1];
    li.textContent = next ? `${c.from}–${next.from}` : `≥ ${c.from}`;
    list.append(li);
  });
}

async function start() {
  legend();
  try {
    user = await signedIn();
  } catch (error) {
    askToSignIn(`Sign-in failed: ${error.message}`);
    return;
  }
  if (user === null) {
    askToSignIn();
    return;
  }
  const view = readView();
  document.getElementById('who').textContent = user.profile.sub;
  document.getElementById('sign-out').hidden = false;

  const map = new maplibregl.Map({
    container: 'map',
    style: config.styleUrl ?? OWN_BASE,
    center: MARSEILLE.center,
    zoom: MARSEILLE.zoom,
    hash: true,
    maxZoom: 18,
    transformRequest: (url) =>
      url.startsWith(`${ORIGIN}/`)
        ? { url, headers: { Authorization: `Bearer ${user.access_token}` } }
        : undefined,
  });
  map.addControl(new maplibregl.NavigationControl(), 'top-right');
  map.addControl(new maplibregl.ScaleControl(), 'bottom-left');
  const probe = { map, state, idle: 0, ready: false, resolutionAt, bucketInstant, api };
  window.cortegeMap = probe;
  map.on('idle', () => (probe.idle += 1));
  map.on('move', () => declutter(map));

  const clickable = [
    'events-points',
    'events-route',
    'events-footprint',
    'zones-fill',
    'alerts-fill',
    'hotspots-fill',
  ];
  map.on('click', (event) => {
    const [hit] = map.queryRenderedFeatures(event.point, { layers: clickable });
    if (!hit) return;
    if (hit.layer.id === 'zones-fill')
      openPopup(map, event.lngLat, zoneDetails(zoneOf(hit.properties)));
    else if (hit.layer.id === 'alerts-fill')
      openPopup(map, event.lngLat, alertDetails(hit.properties));
    else if (hit.layer.id === 'hotspots-fill')
      openPopup(map, event.lngLat, hotspotDetails(hit.properties));
    else {
      const e = eventOf(hit.properties);
      openPopup(map, event.lngLat, eventDetails(e));
      if (e.kind === 'MOVING_DEMONSTRATION') void selectMarch(map, e.id).catch(report);
    }
  });
  for (const id of clickable) {
    map.on('mouseenter', id, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', id, () => (map.getCanvas().style.cursor = ''));
  }

  await new Promise((resolve) => map.once('load', resolve));
  addDataLayers(map);
  wireTime(map);
  wireHotspots(map);
  void refreshHotspots(map).catch(report);
  wireAlerts(map);
  void refreshAlerts(map).catch(report);
  const asked = view.t;
  const index = asked ? state.buckets.findIndex((t) => hhmm(t) === asked) : -1;
  moveTo(map, index >= 0 ? index : await peakIndex());
  probe.ready = true;
  void live(map);
}

void start();
