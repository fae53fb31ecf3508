import { createHash } from 'node:crypto';

/** One registered version of a subject: its number, its schema id and a digest of its text. */
export interface SubjectVersion {
  readonly version: number;
  readonly id: number;
  /** SHA-256 (hex) of the schema's text as the registry returns it. */
  readonly schemaSha256: string;
}

/** A subject as `RegistrySubjects.describe` finds it. */
export interface SubjectState {
  readonly subject: string;
  /** Listed among the live subjects. */
  readonly live: boolean;
  /** Listed among the soft-deleted ones (`?deleted=true`), not the live ones. */
  readonly softDeleted: boolean;
  readonly versions: readonly SubjectVersion[];
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * The Confluent-compatible registry API's subjects, as `cortege purge` reads and deletes them:
 * list (live and soft-deleted), versions with their ids, soft delete then permanent delete
 * (Confluent's two steps; Apicurio needs `apicurio.rest.deletion.*` enabled, as the local stack
 * does), and whether a schema id still resolves. Plain `fetch`, 10 s per request.
 */
export class RegistrySubjects {
  constructor(readonly url: string) {}

  /** Every live subject; with `deleted`, the soft-deleted ones too. */
  async list(deleted = false): Promise<string[]> {
    return (await this.get<string[]>(`/subjects${deleted ? '?deleted=true' : ''}`)) ?? [];
  }

  /** The subject's versions (soft-deleted ones included), each with its id and digest. */
  async describe(subject: string): Promise<SubjectState> {
    const [live, all] = await Promise.all([this.list(false), this.list(true)]);
    const isLive = live.includes(subject);
    const known = isLive || all.includes(subject);
    const numbers = known
      ? ((await this.get<number[]>(
          `/subjects/${encodeURIComponent(subject)}/versions?deleted=true`,
        )) ?? [])
      : [];
    const versions: SubjectVersion[] = [];
    for (const version of numbers) {
      const found = await this.get<{ id: number; schema: string }>(
        `/subjects/${encodeURIComponent(subject)}/versions/${version}?deleted=true`,
      );
      if (found === undefined) continue;
      versions.push({
        version,
        id: found.id,
        schemaSha256: createHash('sha256').update(found.schema).digest('hex'),
      });
    }
    return { subject, live: isLive, softDeleted: !isLive && known, versions };
  }

  /**
   * Deletes `subject`: soft first (its versions leave the live API), then permanently (their
   * content goes). Idempotent: a subject already soft-deleted or gone is not an error. Returns
   * what each step found (true: it deleted something).
   */
  async delete(subject: string): Promise<{ soft: boolean; permanent: boolean }> {
    const path = `/subjects/${encodeURIComponent(subject)}`;
    const soft = await this.remove(path);
    const permanent = await this.remove(`${path}?permanent=true`);
    return { soft, permanent };
  }

  /** The subjects (and versions) that still use schema `id`; undefined when the id is unknown. */
  async schemaUsers(id: number): Promise<Array<{ subject: string; version: number }> | undefined> {
    const schema = await this.get<unknown>(`/schemas/ids/${id}`);
    if (schema === undefined) return undefined;
    return (
      (await this.get<Array<{ subject: string; version: number }>>(
        `/schemas/ids/${id}/versions`,
      )) ?? []
    );
  }

  /** GET `path`: its JSON, or undefined on a 404. */
  private async get<T>(path: string): Promise<T | undefined> {
    const response = await fetch(`${this.url}${path}`, {
      headers: { Accept: CONTENT_TYPE },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) return undefined;
    if (!response.ok)
      throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }

  /** DELETE `path`: true when it deleted something, false on a 404 (nothing there). */
  private async remove(path: string): Promise<boolean> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'DELETE',
      headers: { Accept: CONTENT_TYPE },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.status === 404) return false;
    if (!response.ok)
      throw new Error(`DELETE ${path} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    return true;
  }
}
