import { Type, types } from 'avsc';

/**
 * TypeScript declarations for the JS values avsc reads and writes for `roots` (each named
 * type declared once)
 * (its default `wrapUnions: 'auto'`: `null | T` unions are plain, unions of records are
 * wrapped in `{ 'full.Name': value }`; `timestamp-millis` stays a number of milliseconds).
 */
export function avroToTypescript(roots: readonly Type[]): string {
  const declarations = new Map<string, string>();

  const doc = (text: string | undefined, indent = '') =>
    text ? `${indent}/** ${text.replaceAll('*/', '*\\/')} */\n` : '';

  const shortName = (name: string) => name.split('.').pop() ?? name;

  const ts = (type: Type): string => {
    if (type instanceof types.RecordType) {
      const name = shortName(type.name ?? 'Anonymous');
      if (!declarations.has(name)) {
        declarations.set(name, ''); // reserve first: records may refer to themselves
        const fields = type.fields
          .map(
            (f) =>
              `${doc((f as unknown as { doc?: string }).doc, '  ')}  readonly ${f.name}: ${ts(f.type)};`,
          )
          .join('\n');
        declarations.set(name, `${doc(type.doc)}export interface ${name} {\n${fields}\n}`);
      }
      return name;
    }
    if (type instanceof types.EnumType) {
      const name = shortName(type.name ?? 'Anonymous');
      const constName = `${name.replace(/^./, (c) => c.toLowerCase())}Values`;
      declarations.set(
        name,
        `${doc(type.doc)}export const ${constName} = [${type.symbols.map((s) => `'${s}'`).join(', ')}] as const;\n` +
          `${doc(type.doc)}export type ${name} = (typeof ${constName})[number];`,
      );
      return name;
    }
    if (type instanceof types.ArrayType) {
      const items = ts(type.itemsType);
      return items.includes('|') || items.startsWith('readonly')
        ? `ReadonlyArray<${items}>`
        : `readonly ${items}[]`;
    }
    if (type instanceof types.WrappedUnionType) {
      return type.types
        .map((t) => (t.typeName === 'null' ? 'null' : `{ readonly '${t.branchName}': ${ts(t)} }`))
        .join(' | ');
    }
    if (type instanceof types.UnwrappedUnionType) return type.types.map(ts).join(' | ');
    switch (type.typeName) {
      case 'null':
        return 'null';
      case 'boolean':
        return 'boolean';
      case 'int':
      case 'long':
      case 'float':
      case 'double':
        return 'number';
      case 'string':
        return 'string';
      case 'bytes':
        return 'Buffer';
      default:
        throw new Error(`no TypeScript mapping for Avro type '${type.typeName}'`);
    }
  };

  for (const root of roots) ts(root);
  return [...declarations.values()].join('\n\n');
}
