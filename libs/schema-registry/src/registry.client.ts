import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Type } from 'avsc';

/** Basic credentials for a registry that asks for them. */
export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
}

/**
 * The Confluent-compatible registry API as the project uses it: register, set and read
 * compatibility, look a schema up and check one's compatibility without registering, list a
 * subject's versions, fetch a writer schema by id. Wraps `@kafkajs/confluent-schema-registry` and adds the
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
    const path = `/config/${encodeURIComponent(subject)}`;
    try {
      await this.request('PUT', path, { compatibility: level });
    } catch (error) {
      // Two clients giving a subject its first level at once (the sanitizer and the locator
      // registering the status topic's schema): Apicurio creates the rule for one and answers
      // the other 409 "already exists". The rule exists now; a second PUT updates it.
      if ((error as { status?: number }).status !== 409) throw error;
      await this.request('PUT', path, { compatibility: level });
    }
  }

  /** The subject's own compatibility level, or undefined when it has none (the global one applies). */
  async compatibilityOf(subject: string): Promise<string | undefined> {
    const found = await this.request<{ compatibilityLevel?: string; compatibility?: string }>(
      'GET',
      `/config/${encodeURIComponent(subject)}`,
    );
    return found?.compatibilityLevel ?? found?.compatibility;
  }

  /**
   * The version of `subject` that holds exactly `schema`, registering nothing; undefined when
   * the subject does not hold it (or does not exist).
   */
  async lookup(
    subject: string,
    schema: object,
  ): Promise<{ readonly id: number; readonly version: number } | undefined> {
    const found = await this.request<{ id: number; version: number }>(
      'POST',
      `/subjects/${encodeURIComponent(subject)}`,
      { schema: JSON.stringify(schema) },
    );
    return found === undefined ? undefined : { id: found.id, version: found.version };
  }

  /**
   * Whether the registry would accept `schema` as the subject's next version under the
   * subject's compatibility, registering nothing; undefined when the subject has no version.
   */
  async isCompatible(subject: string, schema: object): Promise<boolean | undefined> {
    const found = await this.request<{ is_compatible: boolean }>(
      'POST',
      `/compatibility/subjects/${encodeURIComponent(subject)}/versions/latest`,
      { schema: JSON.stringify(schema) },
    );
    return found?.is_compatible;
  }

  /** Every live version of `subject`, oldest first, with its id and text; empty when none. */
  async versions(
    subject: string,
  ): Promise<Array<{ readonly version: number; readonly id: number; readonly schema: string }>> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const numbers = (await this.request<number[]>('GET', path)) ?? [];
    const versions = [];
    for (const version of [...numbers].sort((a, b) => a - b)) {
      const found = await this.request<{ id: number; schema: string }>('GET', `${path}/${version}`);
      if (found) versions.push({ version, id: found.id, schema: found.schema });
    }
    return versions;
  }

  /** The text of schema `id`, or undefined when the registry does not know it. */
  async schemaText(id: number): Promise<string | undefined> {
    return (await this.request<{ schema: string }>('GET', `/schemas/ids/${id}`))?.schema;
  }

  /**
   * One call of the Confluent API: its JSON answer, or undefined on a 404.
   * @throws Error with the status in `status` on any other failure.
   */
  private async request<T>(method: string, path: string, body?: object): Promise<T | undefined> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/vnd.schemaregistry.v1+json',
      Accept: 'application/vnd.schemaregistry.v1+json',
    };
    if (this.auth)
      headers.Authorization = `Basic ${Buffer.from(`${this.auth.username}:${this.auth.password}`).toString('base64')}`;
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (!response.ok) {
      throw Object.assign(
        new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`),
        { status: response.status },
      );
    }
    return (await response.json()) as T;
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
