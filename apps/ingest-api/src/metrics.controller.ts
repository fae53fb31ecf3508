import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ServerResponse } from 'node:http';
import { IngestMetrics } from './ingest.metrics';
import { Public } from './public.decorator';

/** `GET /metrics`: Prometheus text exposition; no token needed. */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(IngestMetrics) private readonly metrics: IngestMetrics) {}

  @Get()
  async metricsText(@Res() response: ServerResponse): Promise<void> {
    const text = await this.metrics.render();
    response.statusCode = 200;
    response.setHeader('Content-Type', this.metrics.contentType);
    response.end(text);
  }
}
