import type { IncomingMessage } from 'node:http';

/** An OGC/RFC 8288 link. */
export interface Link {
  readonly href: string;
  readonly rel: string;
  readonly type?: string;
  readonly title?: string;
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The base URL of the links of a response: the request's own scheme and `Host` (checked: a
 * host name or address and a port, nothing else), or the configured address when absent.
 */
export function baseUrl(
  request: IncomingMessage,
  fallback: { host: string; port: number; tls: boolean },
): string {
  const scheme = fallback.tls ? 'https' : 'http';
  const host = request.headers.host;
  if (host && HOST.test(host)) return `${scheme}://${host}`;
  return `${scheme}://${fallback.host}:${fallback.port}`;
}

/** `url` of the request with its query parameter `name` set to `value` (others kept in order). */
export function withParameter(
  base: string,
  requestUrl: string,
  name: string,
  value: string,
): string {
  const url = new URL(requestUrl, base);
  url.searchParams.set(name, value);
  return `${base}${url.pathname}${url.search}`;
}

/** The request's own URL, absolute. */
export function selfUrl(base: string, requestUrl: string): string {
  const url = new URL(requestUrl, base);
  return `${base}${url.pathname}${url.search}`;
}
