import type { IHeaders } from 'kafkajs';

/** A record a stage writes for one input. */
export interface StageOutput {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}
