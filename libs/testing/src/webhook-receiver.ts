import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the receiver got. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  readonly body: string;
  /** When it arrived, ms since the epoch. */
  readonly at: number;
}

/** How the receiver answers its `n`th request (from 1): a status, or `hold` to never answer. */
export type WebhookAnswer =
  { readonly status: number; readonly headers?: Readonly<Record<string, string>> } | 'hold';

/**
 * A webhook receiver on the loopback for tests: a real HTTP server that keeps every request
 * and answers as `answer` says (200 unless told). `close` also drops held requests.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | undefined;

  constructor(
    private answer: (n: number, request: ReceivedWebhook) => WebhookAnswer = () => ({
      status: 200,
    }),
  ) {}

  /** Changes how the next requests are answered. */
  answerWith(answer: (n: number, request: ReceivedWebhook) => WebhookAnswer): void {
    this.answer = answer;
  }

  /** Listens on 127.0.0.1 (a port the kernel picks); returns the URL to POST to. */
  async start(path = '/hook'): Promise<string> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.received.push(request);
        const answer = this.answer(this.received.length, request);
        if (answer === 'hold') return;
        res.writeHead(answer.status, answer.headers ?? {}).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
