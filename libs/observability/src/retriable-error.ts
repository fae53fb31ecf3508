/** Node's socket errors: the peer is down, restarting or unreachable for now. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * PostgreSQL SQLSTATEs that say "try again": connection exceptions (class 08), the server
 * shutting down or starting (57P01–57P03), insufficient resources (class 53), and a
 * serialization failure or deadlock (40001, 40P01) that a new transaction resolves.
 */
function isRetriableSqlState(code: string): boolean {
  return (
    code.startsWith('08') ||
    code.startsWith('53') ||
    ['57P01', '57P02', '57P03', '40001', '40P01'].includes(code)
  );
}

/** pg's own messages for a connection that died under it; they carry no code. */
const PG_CONNECTION_LOST =
  /Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect/i;

/**
 * kafkajs 2.2 reads its cluster metadata without checking it: while the broker restarts, the
 * metadata is null and `fetchTopicMetadata`/`fetchTopicOffsets` throw a TypeError about
 * `topicMetadata` from inside kafkajs. The broker is coming back: as retriable as a refusal.
 */
function isKafkajsMetadataGap(error: object): boolean {
  const { message, stack } = error as { message?: unknown; stack?: unknown };
  return (
    error instanceof TypeError &&
    typeof message === 'string' &&
    /'topicMetadata'/.test(message) &&
    typeof stack === 'string' &&
    /[\\/]kafkajs[\\/]/.test(stack)
  );
}

/**
 * Whether `error` comes from a dependency (Kafka, the registry, PostgreSQL, an HTTP service)
 * that is expected to answer again, so the work that failed should wait and be retried rather
 * than be dead-lettered or end the process. Errors that say so themselves (`retriable`, as
 * kafkajs's and the serde's do) are believed; otherwise the network and SQL codes decide, down
 * the `cause` chain (fetch wraps its socket error).
 */
export function isRetriable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') return false;
    const { retriable, code, message, cause } = e as {
      retriable?: unknown;
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    // kafkajs ends its own retries of a retriable error with a non-retriable "retries
    // exceeded" around it: the cause is what says whether waiting longer can help.
    if ((e as { name?: unknown }).name === 'KafkaJSNumberOfRetriesExceeded' && cause) {
      e = cause;
      continue;
    }
    if (typeof retriable === 'boolean') return retriable;
    if (isKafkajsMetadataGap(e)) return true;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || isRetriableSqlState(code)))
      return true;
    if (typeof message === 'string' && PG_CONNECTION_LOST.test(message)) return true;
    if (typeof message === 'string' && /^fetch failed$/.test(message) && cause === undefined)
      return true;
    e = cause;
  }
  return false;
}

/** One line for a log: the error's name, code and message, and its causes' — never a stack. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    if (typeof e !== 'object') {
      parts.push(typeof e === 'string' ? e : JSON.stringify(e));
      break;
    }
    const { name, code, message, cause } = e as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
      cause?: unknown;
    };
    const label = [typeof name === 'string' ? name : 'Error', typeof code === 'string' ? code : '']
      .filter(Boolean)
      .join(' ');
    parts.push(`${label}: ${typeof message === 'string' ? message : JSON.stringify(e)}`);
    e = cause;
  }
  return parts.join(' ← ').replace(/\s+/g, ' ').slice(0, 500);
}
