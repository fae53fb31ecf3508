import { Controller, Get, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { openApiDocument } from './openapi.document';
import { Public } from './public.decorator';

/** `GET /openapi.json`: the API's OpenAPI 3.1 description; no token needed. */
@Public()
@Controller('openapi.json')
export class OpenApiController {
  private readonly document: Record<string, unknown>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.document = openApiDocument(config.ingest);
  }

  @Get()
  describe(): Record<string, unknown> {
    return this.document;
  }
}
