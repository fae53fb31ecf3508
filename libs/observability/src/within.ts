/**
 * Resolves or rejects as `promise`, or rejects after `ms` with "`what`: no answer within `ms`
 * ms": a health probe never hangs its check. The timer is cleared as soon as `promise` settles
 * and never keeps the process alive. (`promise` itself is not cancelled.)
 */
/** A probe that did not answer in time: slow, not necessarily down. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

/**
 * Whether `error` says "no answer in time" rather than "refused": ours, an aborted fetch's
 * `TimeoutError`, kafkajs's request timeout, or its connection timeout (a broker that accepted
 * nothing within `connectionTimeout`, where a refusal would have come at once).
 */
export function isNoAnswer(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return (
    error instanceof NoAnswerError ||
    name === 'TimeoutError' ||
    name === 'KafkaJSRequestTimeoutError' ||
    (name === 'KafkaJSConnectionError' &&
      typeof message === 'string' &&
      /^Connection timeout/.test(message))
  );
}

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new NoAnswerError(`${what}: no answer within ${ms} ms`)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
