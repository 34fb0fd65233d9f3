import { Agent, request as httpRequest } from 'node:http';

import fc from 'fast-check';

/*
 * Building blocks of generated-request campaigns against an HTTP API described by an OpenAPI 3.0
 * document: its operations, fast-check arbitraries for schema-valid request bodies, mutations of
 * those bodies (wrong types, missing members, huge strings, deep nesting, broken bytes …), garbage
 * query values and path segments, and an HTTP client that sends exactly the bytes it is given.
 */

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One parameter of an operation, `$ref`s resolved. */
export interface OpenApiParameter {
  readonly name: string;
  readonly in: string;
  readonly required: boolean;
  readonly schema: SchemaObject;
}

/** One operation of the document (a method on a path). */
export interface OpenApiOperation {
  readonly operationId: string;
  /** Upper case, e.g. `PUT`. */
  readonly method: string;
  /** The path with the server's base path, e.g. `/v1/tenants/{tenantId}`. */
  readonly template: string;
  /** Path-level and operation-level parameters. */
  readonly parameters: readonly OpenApiParameter[];
  /** The `application/json` request body schema (with its `$ref`s), if the operation takes one. */
  readonly bodySchema: unknown;
  readonly bodyRequired: boolean;
  /** The request body examples the document gives (`$ref`s resolved, JSON text parsed). */
  readonly bodyExamples: readonly unknown[];
}

/** Follows `$ref`s (local ones only) to the node they point at. */
export function resolveRef(document: SchemaObject, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string'; hops++) {
    if (hops > 32) throw new Error('$ref chain too long');
    const ref = current['$ref'];
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let target: unknown = document;
    for (const token of ref.slice(2).split('/')) {
      const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
      target = isObject(target) ? target[key] : undefined;
    }
    if (target === undefined) throw new Error(`unresolved $ref ${ref}`);
    current = target;
  }
  return current;
}

/** An example value; one given as JSON text (as Hono's file gives them) is parsed. */
function exampleValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Every operation of an OpenAPI 3.0 document, in document order. */
export function openApiOperations(document: SchemaObject): OpenApiOperation[] {
  const servers = Array.isArray(document['servers']) ? document['servers'] : [];
  const url =
    isObject(servers[0]) && typeof servers[0]['url'] === 'string' ? servers[0]['url'] : '';
  // '{server}/v1' → '/v1'
  const basePath = url.replace(/^[^/]*(\{[^}]*\})?/, '').replace(/\/$/, '');
  const paths = isObject(document['paths']) ? document['paths'] : {};
  const parametersOf = (list: unknown): OpenApiParameter[] =>
    (Array.isArray(list) ? list : []).flatMap((p) => {
      const parameter = resolveRef(document, p);
      if (!isObject(parameter) || typeof parameter['name'] !== 'string') return [];
      const schema = resolveRef(document, parameter['schema']);
      return [
        {
          name: parameter['name'],
          in: String(parameter['in']),
          required: parameter['required'] === true,
          schema: isObject(schema) ? schema : {},
        },
      ];
    });
  const operations: OpenApiOperation[] = [];
  for (const [template, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const shared = parametersOf(item['parameters']);
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const own = parametersOf(operation['parameters']);
      const body = resolveRef(document, operation['requestBody']);
      const json = isObject(body) && isObject(body['content']) ? body['content'] : {};
      const media = isObject(json['application/json']) ? json['application/json'] : undefined;
      const examples = isObject(media?.['examples']) ? Object.values(media['examples']) : [];
      operations.push({
        operationId:
          typeof operation['operationId'] === 'string'
            ? operation['operationId']
            : `${method} ${template}`,
        method: method.toUpperCase(),
        template: `${basePath}${template}`,
        parameters: [
          ...shared.filter((p) => !own.some((o) => o.name === p.name && o.in === p.in)),
          ...own,
        ],
        bodySchema: media?.['schema'],
        bodyRequired: isObject(body) && body['required'] === true,
        bodyExamples: examples.flatMap((e) => {
          const example = resolveRef(document, e);
          // A null example stands for no body at all (the `empty` bodies cover that).
          if (!isObject(example) || example['value'] === null || example['value'] === undefined) {
            return [];
          }
          return [exampleValue(example['value'])];
        }),
      });
    }
  }
  return operations;
}

/** Options of {@link schemaArbitrary}. */
export interface SchemaArbitraryOptions {
  /** Arbitraries for members of this name wherever they occur (e.g. `auth-id` from a pool). */
  readonly properties?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Arbitraries for whole schemas, by their `#/components/schemas/<name>`. */
  readonly schemas?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Longest generated arrays (default 3). */
  readonly maxItems?: number;
}

/** Identifier-like strings most registries accept, and now and then anything. */
const plainString = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,15}$/), weight: 4 },
  { arbitrary: fc.string({ maxLength: 16 }), weight: 1 },
);

/** Free-form JSON (the members of `additionalProperties: true` objects). */
export const freeFormJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 });

/** Merges `allOf` members (resolved) into one object schema: later members' properties win. */
function mergeAllOf(document: SchemaObject, schema: SchemaObject): SchemaObject {
  const members: unknown[] = Array.isArray(schema['allOf']) ? schema['allOf'] : [];
  const properties: SchemaObject = {};
  const required = new Set<string>();
  for (const raw of [schema, ...members]) {
    const member = resolveRef(document, raw);
    if (!isObject(member)) continue;
    const flat = member === schema ? member : mergeAllOf(document, member);
    if (isObject(flat['properties'])) Object.assign(properties, flat['properties']);
    if (Array.isArray(flat['required'])) {
      for (const name of flat['required']) if (typeof name === 'string') required.add(name);
    }
  }
  const { allOf: _allOf, ...rest } = schema;
  return { ...rest, type: 'object', properties, required: [...required] };
}

/**
 * A fast-check arbitrary for values valid against an OpenAPI 3.0 schema of `document`, as a client
 * would send them in a request: `readOnly` members are left out, `writeOnly` ones included.
 * Patterns are treated as anchored (the document's `pattern: hashed-password` means that string);
 * `format: byte` gives Base64, `date-time` RFC 3339 instants.
 */
export function schemaArbitrary(
  document: SchemaObject,
  schema: unknown,
  options: SchemaArbitraryOptions = {},
): fc.Arbitrary<unknown> {
  const maxItems = options.maxItems ?? 3;
  const build = (node: unknown, depth: number): fc.Arbitrary<unknown> => {
    if (depth > 16) throw new Error('schema too deep (recursive?)');
    if (isObject(node) && typeof node['$ref'] === 'string') {
      const name = /^#\/components\/schemas\/(.+)$/.exec(node['$ref'])?.[1];
      const override = name === undefined ? undefined : options.schemas?.[name];
      if (override !== undefined) return override;
    }
    const resolved = resolveRef(document, node);
    if (!isObject(resolved)) return freeFormJson;
    if (Array.isArray(resolved['enum']) && resolved['enum'].length > 0) {
      return fc.constantFrom(...(resolved['enum'] as unknown[]));
    }
    if (Array.isArray(resolved['allOf'])) return build(mergeAllOf(document, resolved), depth + 1);
    const choices = resolved['oneOf'] ?? resolved['anyOf'];
    if (Array.isArray(choices) && choices.length > 0) {
      return fc.oneof(...choices.map((choice) => build(choice, depth + 1)));
    }
    const type = resolved['type'];
    if (type === 'object' || isObject(resolved['properties'])) {
      const properties = isObject(resolved['properties']) ? resolved['properties'] : {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) {
        const target = resolveRef(document, property);
        if (isObject(target) && target['readOnly'] === true) continue;
        model[name] = options.properties?.[name] ?? build(property, depth + 1);
      }
      const required = (Array.isArray(resolved['required']) ? resolved['required'] : []).filter(
        (name): name is string => typeof name === 'string' && name in model,
      );
      if (Object.keys(model).length === 0) {
        const additional = resolved['additionalProperties'];
        if (additional === false) return fc.constant({});
        const member = isObject(additional) ? build(additional, depth + 1) : freeFormJson;
        return fc.dictionary(plainString, member, { maxKeys: 4 });
      }
      return fc.record(model, { requiredKeys: required });
    }
    if (type === 'array') {
      const minLength = typeof resolved['minItems'] === 'number' ? resolved['minItems'] : 0;
      const maxLength = Math.max(
        minLength,
        Math.min(
          typeof resolved['maxItems'] === 'number' ? resolved['maxItems'] : maxItems,
          maxItems,
        ),
      );
      return fc.array(build(resolved['items'], depth + 1), { minLength, maxLength });
    }
    if (type === 'string') {
      if (resolved['format'] === 'date-time') {
        return fc
          .date({
            min: new Date('2000-01-01T00:00:00Z'),
            max: new Date('2099-12-31T23:59:59Z'),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString());
      }
      if (resolved['format'] === 'byte') {
        return fc
          .uint8Array({ minLength: 1, maxLength: 48 })
          .map((bytes) => Buffer.from(bytes).toString('base64'));
      }
      if (typeof resolved['pattern'] === 'string') {
        return fc.stringMatching(new RegExp(`^(?:${resolved['pattern']})$`));
      }
      return plainString;
    }
    if (type === 'integer') {
      return fc.integer({
        min: typeof resolved['minimum'] === 'number' ? resolved['minimum'] : -1,
        max: typeof resolved['maximum'] === 'number' ? resolved['maximum'] : 1000,
      });
    }
    if (type === 'number') {
      return fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
    }
    if (type === 'boolean') return fc.boolean();
    return freeFormJson;
  };
  return build(schema, 0);
}

/** A path into a JSON value: member names and array indexes. */
export type JsonPath = readonly (string | number)[];

/** Every node of a JSON value with its path (the root first), and what kind of node it is. */
export function jsonNodes(
  value: unknown,
  path: JsonPath = [],
): { path: JsonPath; kind: 'object' | 'array' | 'string' | 'other' }[] {
  if (Array.isArray(value)) {
    return [
      { path, kind: 'array' },
      ...value.flatMap((item, index) => jsonNodes(item, [...path, index])),
    ];
  }
  if (isObject(value)) {
    return [
      { path, kind: 'object' },
      ...Object.entries(value).flatMap(([name, member]) => jsonNodes(member, [...path, name])),
    ];
  }
  return [{ path, kind: typeof value === 'string' ? 'string' : 'other' }];
}

/** A copy of `value` with the node at `path` replaced (`undefined` removes a member). */
export function withNode(value: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value) && typeof head === 'number') {
    const copy = [...(value as unknown[])];
    copy[head] = withNode(copy[head], rest, replacement);
    return copy;
  }
  if (isObject(value) && typeof head === 'string') {
    const copy: SchemaObject = { ...value };
    const next = withNode(copy[head], rest, replacement);
    if (next === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a generated member name
      delete copy[head];
    } else {
      // defineProperty: a member named __proto__ stays a member.
      Object.defineProperty(copy, head, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return copy;
  }
  return value;
}

/** A request body as bytes on the wire, with what it is meant to exercise. */
export interface RequestBody {
  /** The kind of body, e.g. `valid`, `wrong-type`, `deep-nesting` (for the campaign's counts). */
  readonly mutation: string;
  readonly bytes: Buffer;
  /** The Content-Type header; null sends none. */
  readonly contentType: string | null;
  /** Further headers (e.g. `Content-Encoding`, `Transfer-Encoding`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The JSON value the bytes encode exactly, where they encode one. */
  readonly json?: unknown;
}

const JSON_TYPE = 'application/json';

function jsonBody(mutation: string, value: unknown): RequestBody {
  return {
    mutation,
    bytes: Buffer.from(JSON.stringify(value), 'utf8'),
    contentType: JSON_TYPE,
    json: value,
  };
}

/** `levels` nested arrays or objects as JSON text (built as text: no stack needed). */
export function deeplyNestedJson(levels: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(levels)}1${']'.repeat(levels)}`
    : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

const PLACEHOLDER = '__campaign_placeholder_7f3a__';

/** JSON text of `value` with the node at `path` replaced by raw text. */
function spliceText(value: unknown, path: JsonPath, text: string): string {
  return JSON.stringify(withNode(value, path, PLACEHOLDER)).replace(`"${PLACEHOLDER}"`, () => text);
}

/** JSON bytes of `value` with the string at `path` replaced by a string holding raw bytes. */
function spliceBytes(value: unknown, path: JsonPath, bytes: Buffer): Buffer {
  const [before = '', after = ''] = JSON.stringify(withNode(value, path, PLACEHOLDER)).split(
    `"${PLACEHOLDER}"`,
  );
  return Buffer.concat([Buffer.from(`${before}"`), bytes, Buffer.from(`"${after}`)]);
}

const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x61, 0xfe, 0xfe, 0x62],
];

/** Member names that mean something to JavaScript, MongoDB or JSON pointers. */
export const HOSTILE_MEMBER_NAMES: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '$where',
  '$set',
  'a.b',
  '',
  ' ',
  '\u0000',
  'ü-ñ-日本',
  '😀',
  'x'.repeat(1000),
];

/** Values of every JSON type, to replace a node of another type with. */
const VALUES_BY_TYPE: readonly (readonly [string, unknown])[] = [
  ['null', null],
  ['boolean', true],
  ['boolean', false],
  ['number', 0],
  ['number', -1],
  ['number', 1.5],
  ['number', 1e308],
  ['number', -(2 ** 53 + 2)],
  ['string', ''],
  ['string', 'not-the-right-type'],
  ['array', []],
  ['array', [1, 'two', null]],
  ['object', {}],
  ['object', { nested: { deeper: true } }],
];

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** Strings a store or a JSON library may choke on. */
export const HOSTILE_STRINGS: readonly string[] = [
  '\u0000',
  'nul\u0000inside',
  '\ud800',
  'lone \udfff low surrogate',
  '\u202eRTL override',
  '\ufeffBOM',
  '😀🧪👩‍👩‍👧',
  'line\nbreak\ttab\r',
  'quote \' and " and \\',
  '%00%2F..%5C',
  '${jndi:ldap://x}',
  '{{subject-dn}}',
  '<script>alert(1)</script>',
  "'; DROP TABLE tenants; --",
  '$regex',
  ' ',
];

/** JSON texts that are valid but read differently by different parsers. */
const ODD_JSON_VALUES: readonly string[] = [
  '1e999',
  '-1e999',
  '123456789012345678901234567890',
  '-0',
  '1e-400',
  '"\\ud800"',
  '"\\u0000"',
  '"\\/\\b\\f"',
  '{"dup": 1, "dup": [2]}',
  '{"__proto__": {"polluted": true}}',
];

/** Options of {@link bodyArbitrary}. */
export interface BodyArbitraryOptions {
  /** Member names the schemas require somewhere: removing these is the `missing-required` case. */
  readonly requiredNames: ReadonlySet<string>;
  /** Bodies over the server's limit (for the 413 case), e.g. 300 kB for a 256 kB limit. */
  readonly oversizedBytes: number;
  /** Size of the `huge-string` strings (default 100 kB). */
  readonly hugeStringBytes?: number;
  /** Levels of the `deep-nesting` values (default 10,000). */
  readonly nestingLevels?: number;
}

/**
 * Request bodies for an operation: schema-valid ones (`valid`), the document's examples
 * (`example`), and every kind of broken one derived from them.
 */
export function bodyArbitrary(
  valid: fc.Arbitrary<unknown>,
  examples: readonly unknown[],
  options: BodyArbitraryOptions,
): fc.Arbitrary<RequestBody> {
  const huge = options.hugeStringBytes ?? 100 * 1024;
  const levels = options.nestingLevels ?? 10_000;
  const base =
    examples.length > 0
      ? fc.oneof(
          { arbitrary: valid, weight: 4 },
          { arbitrary: fc.constantFrom(...examples), weight: 1 },
        )
      : valid;
  const pick = <T>(list: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...list);
  const nodeOf = (value: unknown, kinds: readonly string[]) => {
    const nodes = jsonNodes(value).filter((n) => kinds.includes(n.kind));
    return nodes.length === 0 ? fc.constant(undefined) : pick(nodes);
  };

  const wrongType = base.chain((value) =>
    nodeOf(value, ['object', 'array', 'string', 'other']).chain((node) => {
      if (node === undefined) return fc.constant(jsonBody('wrong-type', null));
      const current = node.path.reduce<unknown>(
        (v, key) => (v as Record<string | number, unknown>)[key],
        value,
      );
      const others = VALUES_BY_TYPE.filter(([type]) => type !== typeOf(current));
      return pick(others).map(([, replacement]) =>
        jsonBody('wrong-type', withNode(value, node.path, replacement)),
      );
    }),
  );
  const missingRequired = base.chain((value) => {
    const members = jsonNodes(value).filter((n) => {
      const last = n.path[n.path.length - 1];
      return typeof last === 'string' && options.requiredNames.has(last);
    });
    return members.length === 0
      ? fc.constant(jsonBody('missing-required', value))
      : pick(members).map((n) => jsonBody('missing-required', withNode(value, n.path, undefined)));
  });
  const unknownMember = base.chain((value) =>
    fc
      .tuple(nodeOf(value, ['object']), pick(HOSTILE_MEMBER_NAMES), freeFormJson)
      .map(([node, name, member]) =>
        jsonBody(
          'unknown-member',
          node === undefined ? { [name]: member } : withNode(value, [...node.path, name], member),
        ),
      ),
  );
  const hugeString = base.chain((value) =>
    fc
      .tuple(nodeOf(value, ['string', 'object']), fc.constantFrom('x', 'é', '😀'))
      .map(([node, unit]) => {
        const text = unit.repeat(Math.ceil(huge / Buffer.byteLength(unit)));
        const path =
          node === undefined
            ? ['huge']
            : node.kind === 'object'
              ? [...node.path, 'huge']
              : node.path;
        return jsonBody('huge-string', withNode(value, path, text));
      }),
  );
  const deepNesting = fc.oneof(
    fc.constantFrom<'array' | 'object'>('array', 'object').map((kind): RequestBody => ({
      mutation: 'deep-nesting',
      bytes: Buffer.from(deeplyNestedJson(levels, kind)),
      contentType: JSON_TYPE,
    })),
    base.chain((value) =>
      fc
        .tuple(
          nodeOf(value, ['object', 'array', 'string', 'other']),
          fc.constantFrom<'array' | 'object'>('array', 'object'),
        )
        .map(([node, kind]): RequestBody => {
          const path = node === undefined || node.path.length === 0 ? ['deep'] : node.path;
          const text = deeplyNestedJson(levels, kind);
          return {
            mutation: 'deep-nesting',
            bytes: Buffer.from(spliceText(isObject(value) ? value : {}, path, text)),
            contentType: JSON_TYPE,
          };
        }),
    ),
  );
  const hostileValue = base.chain((value) =>
    fc
      .tuple(nodeOf(value, ['string', 'other', 'object']), pick(HOSTILE_STRINGS))
      .map(([node, text]) => {
        const path =
          node === undefined
            ? ['hostile']
            : node.kind === 'object'
              ? [...node.path, 'hostile']
              : node.path;
        return jsonBody('hostile-string', withNode(value, path, text));
      }),
  );
  const wholeBody = pick([null, [], 'a string', 42, true, {}, [{}], [[]]]).map((value) =>
    jsonBody('whole-body-type', value),
  );
  const invalidUtf8 = fc.oneof(
    base.chain((value) =>
      fc.tuple(nodeOf(value, ['string']), pick(INVALID_UTF8)).map(([node, bytes]): RequestBody => {
        const path = node === undefined ? ['bad'] : node.path;
        return {
          mutation: 'invalid-utf8',
          bytes: spliceBytes(
            isObject(value) || Array.isArray(value) ? value : {},
            path,
            Buffer.from(bytes),
          ),
          contentType: JSON_TYPE,
        };
      }),
    ),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes): RequestBody => ({
      mutation: 'invalid-utf8',
      bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes)]),
      contentType: JSON_TYPE,
    })),
  );
  const notJson = pick([
    'hello',
    '<tenant><enabled>true</enabled></tenant>',
    'enabled=true&ext=1',
    "{'single': 'quotes'}",
    '{"a": 1} trailing',
    '{"a": NaN}',
    '{"a": Infinity}',
    '{"a": 1,}',
    '/* comment */ {}',
    '{"a": 01}',
    '{"a": "\\x41"}',
    'null null',
    ']',
    '"',
  ]).map((text): RequestBody => ({
    mutation: 'non-json',
    bytes: Buffer.from(text),
    contentType: JSON_TYPE,
  }));
  // Valid JSON that parsers read differently: out-of-range numbers, escapes, duplicate members, BOM.
  const oddJson = base.chain((value) =>
    fc
      .tuple(
        nodeOf(value, ['object', 'array', 'string', 'other']),
        pick(ODD_JSON_VALUES),
        fc.boolean(),
      )
      .map(([node, text, bom]): RequestBody => {
        const path = node === undefined || node.path.length === 0 ? ['odd'] : node.path;
        const json = spliceText(isObject(value) ? value : { value }, path, text);
        return {
          mutation: 'odd-json',
          bytes: Buffer.from(bom ? `\ufeff${json}` : json),
          contentType: JSON_TYPE,
        };
      }),
  );
  const truncated = base.chain((value) => {
    const text = JSON.stringify(value);
    return fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((cut): RequestBody => ({
      mutation: 'truncated',
      bytes: Buffer.from(text.slice(0, cut)),
      contentType: JSON_TYPE,
    }));
  });
  const empty = pick<RequestBody>([
    { mutation: 'empty', bytes: Buffer.alloc(0), contentType: JSON_TYPE },
    { mutation: 'empty', bytes: Buffer.alloc(0), contentType: null },
    {
      mutation: 'empty',
      bytes: Buffer.alloc(0),
      contentType: JSON_TYPE,
      headers: { 'transfer-encoding': 'chunked' },
    },
    { mutation: 'empty', bytes: Buffer.from('   '), contentType: JSON_TYPE },
  ]);
  const wrongContentType = fc
    .tuple(
      base,
      pick<string | null>([
        null,
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json-patch+json',
        'application/jsonx',
        'json',
        'application/json; charset=latin1',
        'application/json; charset=utf-16',
        'application/json; charset=nonsense',
        'application/octet-stream',
        '*/*',
        '',
      ]),
    )
    .map(([value, contentType]): RequestBody => ({
      mutation: 'wrong-content-type',
      bytes: Buffer.from(JSON.stringify(value)),
      contentType,
    }));
  const wrongEncoding = fc
    .tuple(base, pick(['gzip', 'deflate', 'br', 'x-unknown', 'identity, gzip']))
    .map(([value, encoding]): RequestBody => ({
      mutation: 'wrong-content-encoding',
      bytes: Buffer.from(JSON.stringify(value)),
      contentType: JSON_TYPE,
      headers: { 'content-encoding': encoding },
    }));
  const oversized = base.map((value): RequestBody =>
    jsonBody('oversized', {
      ...(isObject(value) ? value : {}),
      ext: { filler: 'x'.repeat(options.oversizedBytes) },
    }),
  );
  return fc.oneof(
    { arbitrary: base.map((value) => jsonBody('valid', value)), weight: 30 },
    { arbitrary: wrongType, weight: 8 },
    { arbitrary: missingRequired, weight: 6 },
    { arbitrary: unknownMember, weight: 6 },
    { arbitrary: hugeString, weight: 4 },
    { arbitrary: deepNesting, weight: 4 },
    { arbitrary: hostileValue, weight: 6 },
    { arbitrary: wholeBody, weight: 4 },
    { arbitrary: invalidUtf8, weight: 4 },
    { arbitrary: notJson, weight: 4 },
    { arbitrary: oddJson, weight: 3 },
    { arbitrary: truncated, weight: 4 },
    { arbitrary: empty, weight: 4 },
    { arbitrary: wrongContentType, weight: 5 },
    { arbitrary: wrongEncoding, weight: 2 },
    { arbitrary: oversized, weight: 1 },
  );
}

/**
 * Path segments no registry should store: too long, non-ASCII, dot segments, encoded NUL, slashes
 * and reserved characters, broken percent-encoding. Each is the raw text of the segment as sent.
 */
export const HOSTILE_PATH_SEGMENTS: readonly string[] = [
  'a'.repeat(257),
  'b'.repeat(4000),
  encodeURIComponent('ü-ñ-日本'),
  encodeURIComponent('😀'),
  // Raw (not percent-encoded) Latin-1: node:http sends the byte as it is.
  'caf\u00e9',
  '..',
  '.',
  '%2E%2E',
  '%00',
  'a%00b',
  '%20',
  'a%20b',
  encodeURIComponent('a/b'),
  '..%2F..%2Fetc',
  encodeURIComponent("?#[]@!$&'()*+,;="),
  '%',
  '%zz',
  '%C0%AF',
  '%FF',
  '%ED%A0%80',
  '__proto__',
  'constructor',
  '$where',
  'a.b',
  'null',
  '-',
  encodeURIComponent('{"$gt":""}'),
];

/** `If-Match` values beyond a current or a stale version. */
export const HOSTILE_IF_MATCH: readonly string[] = [
  '*',
  '',
  ' ',
  '"quoted"',
  'W/"weak"',
  'W/',
  '""',
  '00000000-0000-0000-0000-000000000000',
  'a, b',
  'x'.repeat(8000),
  'caf\u00e9',
];

/** Garbage for integer query parameters. */
export const HOSTILE_INTEGERS: readonly string[] = [
  '-1',
  '201',
  '1.5',
  'abc',
  '',
  '1e3',
  '0x10',
  '9'.repeat(40),
  '9007199254740993',
  ' 1',
  '+1',
  '%EF%BC%91',
  'NaN',
  'Infinity',
  '%00',
  '%',
];

/** Garbage for JSON query parameters. */
export const HOSTILE_JSON_QUERY_VALUES: readonly string[] = [
  '',
  '{',
  'null',
  '[]',
  '1',
  '"x"',
  '{}',
  '{"field":1,"value":1}',
  '{"field":"/enabled"}',
  '{"field":"/enabled","value":true,"op":"ne"}',
  '{"field":"/enabled","value":null}',
  '{"field":"/enabled","value":{"$gt":""}}',
  '{"field":"/enabled","value":[1]}',
  '{"field":"/enabled","value":true,"extra":1}',
  '{"field":"enabled","value":true}',
  '{"field":"","value":true}',
  '{"field":"/$where","value":"1"}',
  '{"field":"/a.b","value":1}',
  '{"field":"/ext/$gt","value":1}',
  '{"field":"/~2","value":1}',
  '{"field":"/\\u0000","value":1}',
  '{"field":"/ext/brand","value":"\\u0000"}',
  '{"field":"/ext/brand","value":"%_\\\\*?"}',
  '{"field":"/ext/brand","value":"(a+)+$"}',
  '{"field":"/ext/brand","value":1e308}',
  `{"field":"/${'x'.repeat(3000)}","value":1}`,
  '{"field":"/enabled","direction":"sideways"}',
  '{"field":"/enabled","direction":"desc"}',
  '%7B',
];

const CONTINUE_ABOVE_BYTES = 16 * 1024;

/** One reply of {@link RawHttpClient.send}. */
export interface RawReply {
  /** 0 when no response came (the error says why). */
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The parsed body for JSON replies, else undefined. */
  readonly json: unknown;
  readonly error?: string;
}

/** A raw request: the path and headers are sent as given (no normalisation of `..` or `%`). */
export interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
}

/**
 * HTTP/1.1 over node:http with keep-alive: unlike fetch, it sends the path exactly as given (dot
 * segments, broken percent-encoding) and any body bytes with any headers.
 */
export class RawHttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  private readonly host: string;
  private readonly port: number;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  send(request: RawRequest, timeoutMs = 30_000): Promise<RawReply> {
    return new Promise((resolve) => {
      const headers: Record<string, string> = { ...request.headers };
      const chunked = Object.keys(headers).some((h) => h.toLowerCase() === 'transfer-encoding');
      if (request.body !== undefined && !chunked) {
        headers['content-length'] = String(request.body.length);
      }
      // A big body waits for `100 Continue`: a server that refuses the request line or headers
      // answers at once and closes, and that answer is lost in a reset while a body is in flight.
      const waitForContinue = (request.body?.length ?? 0) > CONTINUE_ABOVE_BYTES;
      if (waitForContinue) headers['expect'] = '100-continue';
      let settled = false;
      const done = (reply: RawReply): void => {
        if (!settled) {
          settled = true;
          resolve(reply);
        }
      };
      let req;
      try {
        req = httpRequest({
          host: this.host,
          port: this.port,
          method: request.method,
          path: request.path,
          headers,
          agent: this.agent,
          timeout: timeoutMs,
        });
      } catch (error) {
        done({ status: 0, headers: {}, text: '', json: undefined, error: String(error) });
        return;
      }
      req.on('response', (res) => {
        // Answered without `100 Continue`: the body is never sent, nor is the socket reused.
        if (waitForContinue && !continued) res.on('end', () => req.destroy());
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => {
          done({ status: 0, headers: {}, text: '', json: undefined, error: error.message });
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if (res.headers['content-type']?.startsWith('application/json') === true && text !== '') {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          done({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('timeout', () => {
        req.destroy(new Error(`no response within ${String(timeoutMs)} ms`));
      });
      req.on('error', (error) => {
        done({ status: 0, headers: {}, text: '', json: undefined, error: error.message });
      });
      let continued = false;
      if (waitForContinue) {
        req.on('continue', () => {
          continued = true;
          req.end(request.body);
        });
      } else {
        req.end(request.body);
      }
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
