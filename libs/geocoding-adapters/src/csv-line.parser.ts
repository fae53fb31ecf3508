/**
 * Splits one line of a `;`-separated file into fields. Fields may be double-quoted (then `;`
 * inside is data and `""` is one quote), as RFC 4180 says for commas; a quoted field cannot span
 * lines. Returns `undefined` when a quote is left open.
 */
export function splitCsvLine(line: string, separator = ';'): string[] | undefined {
  if (!line.includes('"')) return line.split(separator);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === separator) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** Column name → index, from a header line (a UTF-8 BOM and surrounding spaces are ignored). */
export function headerIndex(headerLine: string, separator = ';'): Map<string, number> {
  const names = splitCsvLine(headerLine.replace(/^\uFEFF/, ''), separator) ?? [];
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    const key = name.trim().toLowerCase();
    if (key !== '' && !index.has(key)) index.set(key, i);
  });
  return index;
}
