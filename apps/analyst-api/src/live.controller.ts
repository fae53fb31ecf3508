import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Responder, type RoutedRequest } from './responder';
import { TensionNotifications, type TensionNotice } from './tension-notifications';

/** A comment line this often keeps proxies from closing an idle stream, ms. */
const HEARTBEAT_MS = 15_000;
/**
 * A stream ends after this long, ms; the page reconnects with its current token, so an expired
 * token or a revoked habilitation stops the stream within this delay.
 */
export const LIVE_STREAM_MAX_MS = 5 * 60_000;

/**
 * `GET /live`: server-sent events for the map. Behind the same token, role and habilitation as
 * the data (the page reads it with `fetch` and an `Authorization` header, so no token is put
 * in a URL), audited when it opens. Each committed change of the aggregates is an event
 * `tension` (data: the aggregator's summary); `resync` when changes may have been missed.
 * It carries no data rows: the page then reads the tiles and collections, each audited.
 */
@Controller('live')
export class LiveController {
  constructor(
    @Inject(Responder) private readonly responder: Responder,
    @Inject(TensionNotifications) private readonly notifications: TensionNotifications,
  ) {}

  @Get()
  async stream(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    try {
      await this.responder.record(request, 200, 0);
    } catch {
      await this.responder.send(request, response, { status: 503, rows: 0 });
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    const write = (notice: TensionNotice) =>
      response.write(
        notice.kind === 'change'
          ? `event: tension\ndata: ${notice.payload}\n\n`
          : `event: resync\ndata: {}\n\n`,
      );
    let unsubscribe = (): void => undefined;
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), HEARTBEAT_MS);
    const finish = () => {
      clearInterval(heartbeat);
      clearTimeout(limit);
      unsubscribe();
      response.end();
    };
    const limit = setTimeout(finish, LIVE_STREAM_MAX_MS);
    // The response's 'close': the client went away (the request's may come as soon as it is read).
    response.on('close', finish);
    unsubscribe = await this.notifications.subscribe({ notify: write, close: finish });
    if (response.writableEnded) {
      unsubscribe();
      return;
    }
    // Sent once listening: from here on, no committed change goes unannounced.
    response.write('retry: 2000\nevent: ready\ndata: {}\n\n');
  }
}
