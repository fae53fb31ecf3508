import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';

/** The injection token of the app's `RouteMethods`. */
export const ROUTE_METHODS = Symbol('ROUTE_METHODS');

const trimSlashes = (path: string) => path.replace(/^\/+|\/+$/g, '');

/** `/v1/submissions/?x=1` → `v1/submissions`, as Express matches it (any case, one trailing slash). */
const routeKey = (url: string): string => trimSlashes(url.split('?')[0] ?? '').toLowerCase();

/** A route's path as a pattern: each `:param` matches one path segment. */
const routePattern = (key: string): RegExp =>
  new RegExp(
    `^${key
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/')}$`,
  );

/**
 * Which methods each route of the app answers, read from its controllers' own decorators
 * (`@Controller`, `@Get`, `@Post`…), so a known path asked with another method is a 405 with
 * `Allow`, not a 404. A `GET` route answers `HEAD` too (Express does). A route with parameters
 * (`v1/submissions/:eventId`) answers for any value of each.
 */
export class RouteMethods {
  private readonly patterns: ReadonlyArray<readonly [RegExp, readonly string[]]>;

  private constructor(private readonly methods: ReadonlyMap<string, readonly string[]>) {
    this.patterns = [...methods]
      .filter(([key]) => key.includes(':'))
      .map(([key, allowed]) => [routePattern(key), allowed] as const);
  }

  static of(controllers: readonly Type[]): RouteMethods {
    const methods = new Map<string, Set<string>>();
    for (const controller of controllers) {
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const sub = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
        const key = routeKey([base, sub].map(trimSlashes).filter(Boolean).join('/'));
        const set = methods.get(key) ?? new Set<string>();
        set.add(RequestMethod[method]);
        if (method === RequestMethod.GET) set.add('HEAD');
        methods.set(key, set);
      }
    }
    return new RouteMethods(new Map([...methods].map(([k, v]) => [k, [...v].sort()])));
  }

  /** The methods the route at `url` answers, or `undefined` when no route has that path. */
  allowed(url: string): readonly string[] | undefined {
    const key = routeKey(url);
    return this.methods.get(key) ?? this.patterns.find(([pattern]) => pattern.test(key))?.[1];
  }
}
