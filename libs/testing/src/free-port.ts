import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/** Where ports are drawn from: above the stack's defaults (15433–19093), below the kernel's. */
const LOWEST = 20_000;

/** The first port of the kernel's ephemeral range (outgoing connections take theirs there). */
function ephemeralStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > LOWEST + 1_000 ? first : 32_768;
  } catch {
    return 32_768; // not Linux: the range most systems use (IANA's starts at 49152)
  }
}

const handedOut = new Set<number>();

function listens(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that nobody listens on now, for an app or a service a test starts.
 * Drawn at random below the kernel's ephemeral range: a port the kernel picks (`listen(0)`)
 * comes from the range every outgoing connection also takes its local port from, and on a busy
 * machine a Kafka or PostgreSQL client took one between the pick and the app's `listen`
 * (EADDRINUSE). Never the same port twice in one process; another process drawing the same one
 * in the same instant is a chance of about one in ten thousand.
 */
export async function freePort(): Promise<number> {
  const highest = ephemeralStart() - 1;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = randomInt(LOWEST, highest + 1);
    if (handedOut.has(port)) continue;
    if (await listens(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found from ${LOWEST} to ${highest} in 200 draws`);
}
