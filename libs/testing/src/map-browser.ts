import { chromium, type Browser, type Page } from 'playwright-core';

/** The page's probe (`window.cortegeMap`), as the tests and the demo read it. */
export const MAP_PROBE = 'cortegeMap';

/**
 * Launches Debian's `chromium` at `executablePath` headless (no browser is downloaded).
 * WebGL2 is rendered in software by SwiftShader, which recent Chromium only allows when told.
 * @throws Error when the executable is missing: `apt-get install chromium`.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--enable-unsafe-swiftshader', '--use-angle=swiftshader', '--no-sandbox'],
  });
}

/**
 * Opens `mapUrl` (the map at `/map`, with its query and hash), signs in through the issuer's
 * page (the development issuer's button), and resolves once the map is back, ready, and has
 * been idle once: every tile of the first view loaded and drawn.
 * @throws Error when sign-in or the first `idle` does not come within `timeoutMs`.
 */
export async function signInToMap(page: Page, mapUrl: string, timeoutMs = 60_000): Promise<void> {
  await page.goto(mapUrl);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click({ timeout: timeoutMs });
  await page.getByRole('button', { name: /^Sign in as / }).click({ timeout: timeoutMs });
  await page.waitForURL((url) => url.pathname === '/map' && !url.searchParams.has('code'), {
    timeout: timeoutMs,
  });
  await mapIdle(page, 0, timeoutMs);
}

/**
 * Resolves when the map has fired `idle` more than `after` times and is idle now (every tile
 * loaded); rejects after `timeoutMs` if it never does.
 */
export async function mapIdle(page: Page, after: number, timeoutMs = 60_000): Promise<number> {
  const handle = await page.waitForFunction(
    ([probe, seen]) => {
      const p = (globalThis as unknown as Record<string, MapProbe | undefined>)[probe];
      return p?.ready && p.idle > seen && p.map.loaded() && p.map.areTilesLoaded() ? p.idle : 0;
    },
    [MAP_PROBE, after] as const,
    { timeout: timeoutMs, polling: 100 },
  );
  return handle.jsonValue();
}

/** What `window.cortegeMap` holds (the parts read from outside). */
interface MapProbe {
  readonly ready: boolean;
  readonly idle: number;
  readonly map: { loaded(): boolean; areTilesLoaded(): boolean };
}
