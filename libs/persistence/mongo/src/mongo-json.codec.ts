import type { JsonObject, JsonValue } from '@tessera/persistence';

/*
 * Tenant and device documents carry client JSON (`ext`, `defaults`, adapter options …) with any
 * member names and shapes. MongoDB reads a member name with a '.' as a path and one starting with
 * '$' as an operator (FerretDB 1.x refuses both outright), an empty name cannot be part of a query
 * path, and FerretDB 1.x refuses arrays directly inside arrays. So stored documents escape such
 * names and wrap such arrays, and reading undoes both: every JSON document round-trips unchanged,
 * and search paths address the escaped names.
 *
 * Names: '%' → '%25', '.' → '%2E', U+0000 → '%00', a leading '$' → '%24', '' → '%'. Every '%' of
 * an escaped name starts one of these escapes, so unescaping is unambiguous.
 * Arrays in arrays: [[1]] → [{ '%5B': [1] }] ('%5B' is no escaped name).
 */

const EMPTY_NAME = '%';
const NESTED_ARRAY = '%5B';
const UNESCAPES: Readonly<Record<string, string>> = {
  '%25': '%',
  '%2E': '.',
  '%00': '\u0000',
  '%24': '$',
};

/** The stored (and queried) form of a JSON member name. */
export function mongoFieldName(name: string): string {
  if (name === '') return EMPTY_NAME;
  // '%' first: the escapes added after it must stay as they are.
  const escaped = name.replaceAll('%', '%25').replaceAll('.', '%2E').replaceAll('\u0000', '%00');
  return escaped.startsWith('$') ? `%24${escaped.slice(1)}` : escaped;
}

/** The JSON member name of a stored one (the inverse of {@link mongoFieldName}). */
export function jsonFieldName(stored: string): string {
  if (stored === EMPTY_NAME) return '';
  return stored.replace(/%(?:25|2E|00|24)/g, (escape) => UNESCAPES[escape] ?? escape);
}

function encode(value: JsonValue, inArray: boolean): JsonValue {
  if (Array.isArray(value)) {
    const items = value.map((item) => encode(item, true));
    return inArray ? { [NESTED_ARRAY]: items } : items;
  }
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [name, member] of Object.entries(value)) {
    // defineProperty: a member named __proto__ stays a member.
    Object.defineProperty(out, mongoFieldName(name), {
      value: encode(member, false),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function decode(value: JsonValue): JsonValue {
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const wrapped = item[NESTED_ARRAY];
        if (Array.isArray(wrapped) && Object.keys(item).length === 1) return decode(wrapped);
      }
      return decode(item);
    });
  }
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [name, member] of Object.entries(value)) {
    Object.defineProperty(out, jsonFieldName(name), {
      value: decode(member),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A JSON document in the form MongoDB and FerretDB store as it is. */
export function toMongoDocument(document: JsonObject): JsonObject {
  return encode(document, false) as JsonObject;
}

/** The JSON document a stored one holds (the inverse of {@link toMongoDocument}). */
export function fromMongoDocument(stored: JsonObject): JsonObject {
  return decode(stored) as JsonObject;
}
