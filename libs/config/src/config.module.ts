import { Global, Module } from '@nestjs/common';
import { loadConfig } from './config.loader';

/** DI token of the process's `AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Builds the configuration once, when the Nest application starts, and shares it everywhere. */
@Global()
@Module({
  providers: [{ provide: APP_CONFIG, useFactory: () => loadConfig() }],
  exports: [APP_CONFIG],
})
export class ConfigModule {}
