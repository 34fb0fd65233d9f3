import { z } from 'zod';

import { unstorableTextReason } from '../common/json-limits';

/*
 * Query parameters of the search operations `GET /v1/tenants` and `GET /v1/devices/{tenantId}`
 * (device-registry-v1.yaml parameters `pageSize`, `pageOffset`, `filterJson`, `sortJson`,
 * `isGateway`). Any violation is a 400.
 */

/** The smallest page size (`pageSize` minimum). */
export const MIN_PAGE_SIZE = 0;
/** The largest page size (`pageSize` maximum). */
export const MAX_PAGE_SIZE = 200;
/** The page size used when the query has none. */
export const DEFAULT_PAGE_SIZE = 30;

// No document holds such text (U+0000, unpaired surrogates), and stores refuse it in queries.
function refuseUnstorableText(text: string, ctx: z.RefinementCtx): void {
  const problem = unstorableTextReason(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
}

/**
 * An RFC 6901 JSON pointer with at least one reference token, e.g. `/enabled`, `/ext/brand`,
 * `/status/created`. `~` must be escaped as `~0` and `/` inside a token as `~1`.
 */
export const JsonPointerSchema = z
  .string()
  .regex(/^(\/([^~/]|~[01])*)+$/, { error: 'field must be a JSON pointer such as /ext/brand' })
  .superRefine(refuseUnstorableText)
  .describe('An RFC 6901 JSON pointer, e.g. /ext/brand.');

/**
 * One search predicate (`FilterJson`): the value at `field` must equal `value`. A string value may
 * use the wildcards `*` (any number of characters) and `?` (exactly one character).
 */
export const FilterJsonSchema = z
  .strictObject({
    field: JsonPointerSchema.describe('The JSON pointer of the field to filter on.'),
    op: z.literal('eq').default('eq').describe('The operator; only eq (the default) exists.'),
    value: z
      .union([z.boolean(), z.number(), z.string().superRefine(refuseUnstorableText)])
      .describe('The value to match; strings support the wildcards * and ?.'),
  })
  .describe('A predicate that objects in the result set must match.');

/** A parsed search predicate (see {@link FilterJsonSchema}). */
export type FilterJson = z.infer<typeof FilterJsonSchema>;

/** One sort option (`sortJson`). Options are applied in the order they are given. */
export const SortJsonSchema = z
  .strictObject({
    field: JsonPointerSchema.describe('The JSON pointer of the field to sort by.'),
    direction: z
      .enum(['asc', 'desc'])
      .default('asc')
      .describe('The sort direction; asc by default.'),
  })
  .describe('A property to sort the result set by.');

/** A parsed sort option (see {@link SortJsonSchema}). */
export type SortJson = z.infer<typeof SortJsonSchema>;

/** A query parameter carrying a JSON document, parsed and validated by `schema`. */
function jsonQueryParameter<T extends z.ZodType>(schema: T, name: string) {
  const one = z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name} must be a JSON object` });
        return z.NEVER;
      }
    })
    .pipe(schema);
  // Repeated parameters arrive as arrays; normalise first so that errors point at the entry.
  return z.preprocess(
    (value) => (value === undefined ? [] : typeof value === 'string' ? [value] : value),
    z.array(one),
  );
}

/** A non-negative integer query parameter (a decimal string, or a number from a parsed query). */
function integerQueryParameter(min: number, max: number, fallback: number) {
  return z
    .union([z.int(), z.string().regex(/^\d+$/, { error: 'must be a non-negative integer' })])
    .optional()
    .transform((value) => (value === undefined ? fallback : Number(value)))
    .pipe(z.int().min(min).max(max));
}

const searchQueryShape = {
  pageSize: integerQueryParameter(MIN_PAGE_SIZE, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE).describe(
    'The maximum number of objects to return: 0–200, default 30.',
  ),
  pageOffset: integerQueryParameter(0, Number.MAX_SAFE_INTEGER, 0).describe(
    'The offset into the result set: ≥ 0, default 0.',
  ),
  filterJson: jsonQueryParameter(FilterJsonSchema, 'filterJson').describe(
    'Repeatable: predicates (JSON) that every result must match.',
  ),
  sortJson: jsonQueryParameter(SortJsonSchema, 'sortJson').describe(
    'Repeatable: sort options (JSON), applied in order.',
  ),
};

/**
 * The query of `GET /v1/tenants`, as delivered by an HTTP framework (values are strings, or
 * arrays of strings for repeated parameters; unknown parameters are ignored). Parses to
 * `{ pageSize, pageOffset, filterJson: FilterJson[], sortJson: SortJson[] }`.
 */
export const SearchTenantsQuerySchema = z
  .object(searchQueryShape)
  .describe('Paging, filter and sort options of a tenant search.');

/** A parsed tenant search query (see {@link SearchTenantsQuerySchema}). */
export type SearchTenantsQuery = z.infer<typeof SearchTenantsQuerySchema>;

/**
 * The query of `GET /v1/devices/{tenantId}`: the tenant search options plus `isGateway`
 * (`true`: only gateways, `false`: only other devices). When `isGateway` is given, `filterJson`
 * is ignored. A device is a gateway when another device lists it in `via`.
 */
export const SearchDevicesQuerySchema = z
  .object({
    ...searchQueryShape,
    isGateway: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')])
      .optional()
      .describe('Only gateways (true) or only non-gateways (false); overrides filterJson.'),
  })
  .describe('Paging, filter and sort options of a device search.');

/** A parsed device search query (see {@link SearchDevicesQuerySchema}). */
export type SearchDevicesQuery = z.infer<typeof SearchDevicesQuerySchema>;
