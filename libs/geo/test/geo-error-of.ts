import { GeoError } from '@app/geo';

/** The `GeoError` that `call` throws; fails the test when it throws nothing or something else. */
export function geoErrorOf(call: () => unknown): GeoError {
  try {
    call();
  } catch (error) {
    if (error instanceof GeoError) return error;
    throw new Error(`expected a GeoError, got ${String(error)}`);
  }
  throw new Error('expected a GeoError, nothing was thrown');
}
