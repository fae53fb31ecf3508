import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nobody listens on now, chosen by the kernel: for an app or a
 * service a test starts, instead of a random number that may be taken.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
