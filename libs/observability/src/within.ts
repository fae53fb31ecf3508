/**
 * Resolves or rejects as `promise`, or rejects after `ms` with "`what`: no answer within `ms`
 * ms": a health probe never hangs its check. The timer is cleared as soon as `promise` settles
 * and never keeps the process alive. (`promise` itself is not cancelled.)
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
