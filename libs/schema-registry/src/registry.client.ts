import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Type } from 'avsc';

/** Basic credentials for a registry that asks for them. */
export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
}

/**
 * The Confluent-compatible registry API as the project uses it: register, set compatibility,
 * fetch a writer schema by id. Wraps `@kafkajs/confluent-schema-registry` and adds the
 * per-subject compatibility call it keeps private.
 */
export class RegistryClient {
  private readonly registry: SchemaRegistry;

  constructor(
    readonly url: string,
    private readonly auth?: RegistryAuth,
  ) {
    this.registry = new SchemaRegistry({
      host: url,
      ...(auth ? { auth: { username: auth.username, password: auth.password } } : {}),
    });
  }

  /** Sets a subject's compatibility level; works before the subject's first version. */
  async setCompatibility(subject: string, level: string): Promise<void> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/vnd.schemaregistry.v1+json',
    };
    if (this.auth)
      headers.Authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    const response = await fetch(`${this.url}/config/${encodeURIComponent(subject)}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ compatibility: level }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) {
      throw Object.assign(
        new Error(`PUT /config/${subject} answered ${response.status}: ${await response.text()}`),
        {
          status: response.status,
        },
      );
    }
  }

  /**
   * Registers an Avro schema under `subject` and returns its id (the same id when already
   * there). `compatibility` must be the subject's level: the client checks it first.
   */
  async register(subject: string, schema: object, compatibility: COMPATIBILITY): Promise<number> {
    const { id } = await this.registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject, compatibility },
    );
    return id;
  }

  /** The writer schema of `id`, as an avsc type. */
  async writerType(id: number): Promise<Type> {
    return (await this.registry.getSchema(id)) as Type;
  }
}
