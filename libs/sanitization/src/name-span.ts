/** A span of text `[start, end)` (UTF-16 offsets) that names a person. */
export interface NameSpan {
  readonly start: number;
  readonly end: number;
}
