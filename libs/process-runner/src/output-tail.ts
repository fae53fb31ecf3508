/**
 * The last `limit` characters of a stream of text, kept cheaply: the buffer is cut back to
 * `limit` only when it has grown to twice that, so appends stay amortised O(chunk).
 */
export class OutputTail {
  private text = '';

  constructor(private readonly limit: number) {}

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.limit) this.text = this.text.slice(-this.limit);
  }

  toString(): string {
    return this.text.slice(-this.limit);
  }
}
