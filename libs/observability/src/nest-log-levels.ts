import type { LogLevel } from '@nestjs/common';
import type { AppConfig } from '@app/config';

/** Nest's log levels for the platform's LOG_LEVEL. */
export function nestLogLevels(level: AppConfig['logLevel']): LogLevel[] {
  switch (level) {
    case 'debug':
      return ['fatal', 'error', 'warn', 'log', 'debug'];
    case 'info':
      return ['fatal', 'error', 'warn', 'log'];
    case 'warn':
      return ['fatal', 'error', 'warn'];
    case 'error':
      return ['fatal', 'error'];
    default: {
      const _exhaustive: never = level;
      return _exhaustive;
    }
  }
}
