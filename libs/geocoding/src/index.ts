export * from './address.normalizer';
export * from './caching.geocoder';
export * from './geocode-cache.port';
export * from './geocoder.port';
export * from './geocoding.error';
export * from './marseille';
export * from './street-vocabulary';
