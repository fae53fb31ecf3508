/**
 * Collects the values of a parameterised query: `add(value)` returns its placeholder (`$n`).
 * Every value a request carries reaches SQL this way, never spliced into the text.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
