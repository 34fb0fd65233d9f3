/**
 * The deepest nesting of objects and arrays a registry document may have. MongoDB holds at most
 * 100 levels per BSON document, its own members and the wrappers of arrays in arrays (FerretDB)
 * included; much deeper values also overflow the stack of JSON serialisers.
 */
export const MAX_JSON_DEPTH = 32;

// An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one alone.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a string cannot be stored as registry text (U+0000, an unpaired surrogate), or undefined.
 */
export function unstorableTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains U+0000';
  if (UNPAIRED_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate';
  return undefined;
}

const pointerToken = (key: string | number): string =>
  String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Why a JSON value (a parsed request body) cannot be stored as a registry document, or undefined
 * if it can. It cannot when it holds a number beyond the range of a double (`1e999` parses as
 * Infinity, which JSON cannot express), when it nests deeper than {@link MAX_JSON_DEPTH}, when a
 * string or member
 * name holds U+0000 (neither PostgreSQL's jsonb nor BSON member names can) or an unpaired
 * surrogate (not Unicode text: UTF-8 has no encoding for it, stores would silently replace it),
 * or when a member is named `__proto__` (JavaScript copies of the object, validation included,
 * would drop it or turn it into a prototype; Node frameworks such as Fastify refuse it as well).
 * Walks the value without recursion, so any depth is safe to check.
 * @returns e.g. `/ext/name: contains U+0000`.
 */
export function unstorableJsonReason(value: unknown): string | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: node, depth, path } = next;
    if (typeof node === 'string') {
      const problem = unstorableTextReason(node);
      if (problem !== undefined) return `${path || '/'}: ${problem}`;
      continue;
    }
    if (typeof node === 'number' && !Number.isFinite(node)) {
      return `${path || '/'}: number out of range`;
    }
    if (typeof node !== 'object' || node === null) continue;
    if (depth + 1 > MAX_JSON_DEPTH) {
      return `${path || '/'}: nested deeper than ${String(MAX_JSON_DEPTH)} levels`;
    }
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((item, index): [number, unknown] => [index, item])
      : Object.entries(node);
    for (const [key, member] of entries) {
      const memberPath = `${path}/${pointerToken(key)}`;
      if (typeof key === 'string') {
        if (key === '__proto__') return `${memberPath}: member name __proto__ is not accepted`;
        const problem = unstorableTextReason(key);
        if (problem !== undefined) return `${memberPath}: member name ${problem}`;
      }
      stack.push({ value: member, depth: depth + 1, path: memberPath });
    }
  }
  return undefined;
}
