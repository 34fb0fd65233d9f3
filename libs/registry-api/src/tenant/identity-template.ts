/**
 * The placeholders that Hono's `IdentityTemplate` supports in `auth-id-template` and
 * `auto-provisioning-device-id-template` of a trusted CA: the whole RFC 2253 subject DN and its
 * CN, OU and O attributes.
 */
export const IDENTITY_TEMPLATE_PLACEHOLDERS = [
  '{{subject-dn}}',
  '{{subject-cn}}',
  '{{subject-ou}}',
  '{{subject-o}}',
] as const;

/** One of {@link IDENTITY_TEMPLATE_PLACEHOLDERS}. */
export type IdentityTemplatePlaceholder = (typeof IDENTITY_TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{\{(.*?)\}\}/g;

/**
 * Checks an identity template the way Hono's `IdentityTemplate.checkValidity` does: it must
 * contain at least one `{{…}}` placeholder and every placeholder must be supported. A tenant with
 * an invalid template is rejected with 400.
 *
 * @param template the template, e.g. `device-{{subject-cn}}`.
 * @returns `undefined` when the template is valid, otherwise a message saying why not.
 */
export function checkIdentityTemplate(template: string): string | undefined {
  const placeholders = [...template.matchAll(PLACEHOLDER)].map((match) => match[0]);
  if (placeholders.length === 0) {
    return `template [${template}] must contain at least one placeholder`;
  }
  const supported: readonly string[] = IDENTITY_TEMPLATE_PLACEHOLDERS;
  const unsupported = placeholders.filter((placeholder) => !supported.includes(placeholder));
  if (unsupported.length > 0) {
    return `template [${template}] contains unsupported placeholders ${unsupported.join(', ')}`;
  }
  return undefined;
}
