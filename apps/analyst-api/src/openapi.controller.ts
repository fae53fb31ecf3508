import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { openApiDocument } from './openapi.document';
import { refuseUnknown } from './query-params';
import { Responder, type RoutedRequest } from './responder';

/** `GET /openapi.json`: the API's OpenAPI 3.0 description (for any reader). */
@Controller('openapi.json')
export class OpenApiController {
  private readonly document: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(Responder) private readonly responder: Responder,
  ) {
    this.document = JSON.stringify(openApiDocument(config.analystApi));
  }

  @Get()
  async describe(@Req() request: RoutedRequest, @Res() response: ServerResponse): Promise<void> {
    refuseUnknown(request.query ?? {}, ['f']);
    await this.responder.send(request, response, {
      status: 200,
      contentType: 'application/vnd.oai.openapi+json;version=3.0',
      body: this.document,
      rows: 0,
    });
  }
}
