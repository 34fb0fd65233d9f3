import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** Hono's contract files (`shared/hono` next to the repository): read at test time, never copied. */
export const HONO_SHARED_DIR = resolve(__dirname, '../../../../shared/hono');

/** Parses a JSON file of {@link HONO_SHARED_DIR}, e.g. `example-tenants.json`. */
export function readHonoJson(name: string): unknown {
  return JSON.parse(readFileSync(join(HONO_SHARED_DIR, name), 'utf8')) as unknown;
}

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// OpenAPI annotations that JSON Schema validators need not see.
const DROPPED = new Set([
  'example',
  'examples',
  'xml',
  'externalDocs',
  'deprecated',
  'discriminator',
]);

/** Options of {@link OpenApiValidator}. */
export interface OpenApiValidatorOptions {
  /**
   * Whether an object whose discriminator value is not in the mapping passes (e.g. Tessera's custom
   * credential types). By default it fails, as `oneOf` makes it fail in OpenAPI.
   */
  readonly allowUnmappedDiscriminatorValues?: boolean;
  /**
   * Properties the server strips from responses although the spec marks them required, where Hono
   * does the same (e.g. the PSK `key`, which Hono's `stripPrivateInfo` removes from GET answers).
   */
  readonly strippedInResponses?: readonly string[];
}

/** Options of {@link OpenApiValidator.assertResponse}. */
export interface ResponseCheckOptions {
  /**
   * Accept an error status the operation does not document; the body must still be the spec's
   * `Error` object. Use it only for deliberate gaps of the spec, and say which in the test.
   */
  readonly allowUndocumentedStatus?: boolean;
}

/**
 * Validates HTTP responses against an OpenAPI 3.0 document with ajv. The document's schemas are
 * dereferenced and adapted to JSON Schema: `nullable`, `allOf` of objects with
 * `additionalProperties: false` (merged into one object, which is what OpenAPI means and what
 * JSON Schema would otherwise reject), and `discriminator` mappings (turned into if/then).
 */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly basePath: string;

  constructor(
    /** The OpenAPI document as parsed (read-only by convention: the validator caches by it). */
    readonly document: SchemaObject,
    private readonly options: OpenApiValidatorOptions = {},
  ) {
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    for (const format of ['int32', 'int64', 'float', 'double', 'password', 'binary']) {
      this.ajv.addFormat(format, true);
    }
    const servers = Array.isArray(document['servers']) ? document['servers'] : [];
    const url =
      isObject(servers[0]) && typeof servers[0]['url'] === 'string' ? servers[0]['url'] : '';
    // '{server}/v1' → '/v1'
    this.basePath = url.replace(/^[^/]*(\{[^}]*\})?/, '').replace(/\/$/, '');
  }

  /** Loads a YAML or JSON OpenAPI file. */
  static fromFile(file: string, options?: OpenApiValidatorOptions): OpenApiValidator {
    const document: unknown = parse(readFileSync(file, 'utf8'));
    if (!isObject(document)) throw new TypeError(`${file} is not an OpenAPI document`);
    return new OpenApiValidator(document, options);
  }

  /** Hono's Device Registry Management API (`device-registry-v1.yaml`). */
  static honoDeviceRegistry(options?: OpenApiValidatorOptions): OpenApiValidator {
    return OpenApiValidator.fromFile(join(HONO_SHARED_DIR, 'device-registry-v1.yaml'), options);
  }

  /**
   * Checks one response: its status must be documented for the operation, and its JSON body (or
   * `undefined` for none) must match the documented schema. A documented response without content
   * must have no body, except that error statuses may carry the spec's `Error` object.
   * @param path the request path as sent, e.g. `/v1/tenants/t1?pageSize=1`.
   * @throws Error listing every violation.
   */
  assertResponse(
    method: string,
    path: string,
    status: number,
    body: unknown,
    options: ResponseCheckOptions = {},
  ): void {
    const { template, operation } = this.operationOf(method, path);
    const where = `${method.toUpperCase()} ${template} → ${String(status)}`;
    const responses = isObject(operation['responses']) ? operation['responses'] : {};
    let response = this.resolve(responses[String(status)] ?? responses['default']);
    if (response === undefined) {
      if (!(options.allowUndocumentedStatus === true && status >= 400)) {
        throw new Error(`${where}: status not documented`);
      }
      response = {};
    }
    const content = isObject(response['content']) ? response['content'] : undefined;
    const json = content?.['application/json'];
    const schemaRef = isObject(json) ? json['schema'] : undefined;
    if (schemaRef !== undefined) {
      this.validate(where, schemaRef, body);
    } else if (status >= 400 && body !== undefined) {
      this.validate(`${where} (Error)`, { $ref: '#/components/schemas/Error' }, body);
    } else if (body !== undefined) {
      throw new Error(`${where}: no body documented, got ${JSON.stringify(body)}`);
    }
  }

  /**
   * The problems of `value` against an OpenAPI schema of the document (e.g. a request body schema
   * `{ $ref: '#/components/schemas/Tenant' }`), or an empty list when it matches.
   */
  problemsOf(schema: unknown, value: unknown): string[] {
    try {
      this.validate(`schema ${JSON.stringify(schema)}`, schema, value);
      return [];
    } catch (error) {
      return [error instanceof Error ? error.message : String(error)];
    }
  }

  private validate(key: string, schema: unknown, body: unknown): void {
    let validator = this.compiled.get(key);
    if (validator === undefined) {
      validator = this.ajv.compile(this.adapt(schema, []) as SchemaObject);
      this.compiled.set(key, validator);
    }
    if (!validator(body)) {
      const problems = (validator.errors ?? [])
        .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
        .join('; ');
      throw new Error(`${key}: body does not match the spec: ${problems}\n${JSON.stringify(body)}`);
    }
  }

  private operationOf(method: string, path: string): { template: string; operation: SchemaObject } {
    const paths = isObject(this.document['paths']) ? this.document['paths'] : {};
    const pathOnly = path.split('?')[0] ?? '';
    const relative = pathOnly.startsWith(this.basePath)
      ? pathOnly.slice(this.basePath.length)
      : pathOnly;
    const segments = relative.split('/');
    const candidates = Object.keys(paths)
      .filter((template) => {
        const parts = template.split('/');
        return (
          parts.length === segments.length &&
          parts.every((p, i) => (/^\{.+\}$/.test(p) ? segments[i] !== '' : p === segments[i]))
        );
      })
      // Literal segments win over parameters.
      .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
    const template = candidates[0];
    const item = template === undefined ? undefined : paths[template];
    const operation = isObject(item) ? item[method.toLowerCase()] : undefined;
    if (template === undefined || !isObject(operation)) {
      throw new Error(`${method.toUpperCase()} ${path}: no such operation in the spec`);
    }
    return { template, operation };
  }

  private resolve(node: unknown): SchemaObject | undefined {
    let current = node;
    for (let hops = 0; isObject(current) && typeof current['$ref'] === 'string'; hops++) {
      if (hops > 32) throw new Error('$ref chain too long');
      current = this.pointer(current['$ref']);
    }
    return isObject(current) ? current : undefined;
  }

  private pointer(ref: string): unknown {
    if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported: ${ref}`);
    let node: unknown = this.document;
    for (const token of ref.slice(2).split('/')) {
      const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
      node = isObject(node) ? node[key] : undefined;
    }
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node;
  }

  /** A self-contained JSON Schema for an OpenAPI schema (refs inlined; cycles are an error). */
  private adapt(node: unknown, refs: readonly string[]): unknown {
    if (Array.isArray(node)) return node.map((n) => this.adapt(n, refs));
    if (!isObject(node)) return node;
    const ref = node['$ref'];
    if (typeof ref === 'string') {
      if (refs.includes(ref)) throw new Error(`recursive schema ${ref} is not supported`);
      return this.adapt(this.pointer(ref), [...refs, ref]);
    }
    const out: SchemaObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (DROPPED.has(key) || key === 'nullable') continue;
      if (key === 'properties' && isObject(value)) {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([name, schema]) => [name, this.adapt(schema, refs)]),
        );
      } else if (['items', 'additionalProperties', 'not'].includes(key) && isObject(value)) {
        out[key] = this.adapt(value, refs);
      } else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) {
        out[key] = value.map((member) => this.adapt(member, refs));
      } else if (key === 'required' && Array.isArray(value)) {
        const stripped = this.options.strippedInResponses ?? [];
        out[key] = (value as string[]).filter((name) => !stripped.includes(name));
      } else {
        out[key] = value;
      }
    }
    const discriminated = this.discriminate(node, out, refs);
    const merged = mergeAllOf(discriminated);
    return node['nullable'] === true ? { anyOf: [merged, { type: 'null' }] } : merged;
  }

  private discriminate(
    original: SchemaObject,
    schema: SchemaObject,
    refs: readonly string[],
  ): SchemaObject {
    const discriminator = original['discriminator'];
    if (!isObject(discriminator) || !Array.isArray(schema['oneOf'])) return schema;
    const property = discriminator['propertyName'];
    const mapping = isObject(discriminator['mapping']) ? discriminator['mapping'] : {};
    if (typeof property !== 'string') return schema;
    const values = Object.keys(mapping);
    const branches: SchemaObject[] = Object.entries(mapping).map(([value, target]) => ({
      if: { properties: { [property]: { const: value } }, required: [property] },
      then: this.adapt({ $ref: target }, refs),
    }));
    if (this.options.allowUnmappedDiscriminatorValues !== true) {
      branches.push({
        if: { properties: { [property]: { not: { enum: values } } }, required: [property] },
        then: false,
      });
    }
    // The branches carry the member's own additionalProperties; the union level has no properties.
    const { oneOf: _oneOf, additionalProperties: _additional, ...rest } = schema;
    return {
      ...rest,
      type: 'object',
      required: [property],
      properties: { [property]: { type: 'string' } },
      allOf: branches,
    };
  }
}

function isPlainObjectSchema(schema: unknown): schema is SchemaObject {
  return (
    isObject(schema) &&
    (schema['type'] === 'object' || isObject(schema['properties'])) &&
    schema['oneOf'] === undefined &&
    schema['anyOf'] === undefined &&
    schema['allOf'] === undefined
  );
}

/** `allOf` of object schemas → one object schema, as OpenAPI's composition means. */
function mergeAllOf(schema: SchemaObject): SchemaObject {
  const members = schema['allOf'];
  if (!Array.isArray(members) || !members.every(isPlainObjectSchema)) return schema;
  const properties: SchemaObject = isObject(schema['properties'])
    ? { ...schema['properties'] }
    : {};
  const required = new Set<string>(
    Array.isArray(schema['required']) ? (schema['required'] as string[]) : [],
  );
  for (const member of members) {
    for (const [name, property] of Object.entries(
      isObject(member['properties']) ? member['properties'] : {},
    )) {
      properties[name] = name in properties ? { allOf: [properties[name], property] } : property;
    }
    if (Array.isArray(member['required'])) {
      for (const name of member['required'] as string[]) required.add(name);
    }
  }
  const { allOf: _allOf, ...rest } = schema;
  const additional =
    rest['additionalProperties'] ??
    (members.every((m) => m['additionalProperties'] === false) ? false : undefined);
  return {
    ...rest,
    type: 'object',
    properties,
    ...(required.size > 0 ? { required: [...required] } : {}),
    ...(additional === undefined ? {} : { additionalProperties: additional }),
  };
}
