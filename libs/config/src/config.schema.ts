import { z } from 'zod';

/** An unset variable and an empty one mean the same: "use the default". */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    schema.optional(),
  );

const port = (fallback: number) =>
  optional(z.coerce.number().int().min(1024).max(65535)).transform((v) => v ?? fallback);

const brokerList = z
  .string()
  .transform((s) => s.split(',').map((b) => b.trim()))
  .refine((list) => list.every((b) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(b)), {
    message: 'expected a comma-separated list of host:port',
  });

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' });

const postgresUrl = z.url({
  protocol: /^postgres(ql)?$/,
  error: 'expected a postgres://user:password@host:port/database URL',
});

/**
 * Every environment variable the platform reads, with its default.
 * Documented in the README ("Configuration"); keep the two in step.
 */
export const environmentSchema = z.object({
  LOG_LEVEL: optional(z.enum(['debug', 'info', 'warn', 'error'])).transform((v) => v ?? 'info'),

  // Existing services. Each one that is set is used as it is and never started locally.
  KAFKA_BROKERS: optional(brokerList),
  SCHEMA_REGISTRY_URL: optional(httpUrl),
  DATABASE_URL: optional(postgresUrl),
  KAFKA_CLIENT_ID: optional(z.string().min(1).max(100)).transform((v) => v ?? 'cortege'),

  // The local stack (infra/local), used for whichever service above is not set.
  STACK_MODE: optional(z.enum(['auto', 'local', 'docker'])).transform((v) => v ?? 'auto'),
  STACK_DIR: optional(z.string().min(1)).transform((v) => v ?? '.stack'),
  STACK_KAFKA_PORT: port(19092),
  STACK_KAFKA_CONTROLLER_PORT: port(19093),
  STACK_REGISTRY_PORT: port(18081),
  STACK_POSTGRES_PORT: port(15433),
  STACK_START_TIMEOUT_MS: optional(z.coerce.number().int().min(1000).max(3_600_000)).transform(
    (v) => v ?? 180_000,
  ),
  STACK_KAFKA_HEAP: optional(
    z.string().regex(/^\d+[mMgG]$/, 'expected a JVM size like 512m'),
  ).transform((v) => v ?? '768m'),
  STACK_REGISTRY_HEAP: optional(
    z.string().regex(/^\d+[mMgG]$/, 'expected a JVM size like 384m'),
  ).transform((v) => v ?? '384m'),
  /** Java for Kafka (17+). Falls back to JAVA_HOME, then `java` on the PATH. */
  STACK_KAFKA_JAVA_HOME: optional(z.string().min(1)),
  /** Java for Apicurio Registry 3.3 (21+). Falls back to the newest JDK found in /usr/lib/jvm. */
  STACK_REGISTRY_JAVA_HOME: optional(z.string().min(1)),
  JAVA_HOME: optional(z.string().min(1)),
});

export type Environment = z.infer<typeof environmentSchema>;
