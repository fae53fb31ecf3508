import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'ingest:public';

/** Marks a controller or route as open without a token (health, metrics, the API description). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
