import type { X509Certificate } from 'node:crypto';

import { subjectOf } from '../common/distinguished-name';

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

function firstValue(subject: string, attribute: string): string | undefined {
  // Node prints a subject one attribute per line, e.g. "O=Eclipse\nCN=device-1".
  for (const line of subject.split('\n')) {
    if (line.startsWith(`${attribute}=`)) return line.slice(attribute.length + 1);
  }
  return undefined;
}

/**
 * The values an identity template can refer to, from a certificate: its RFC 2253 subject DN (as
 * Hono prints it) and the first CN, OU and O.
 */
export function identitySubject(certificate: X509Certificate): IdentitySubject {
  return {
    dn: subjectOf(certificate).dn,
    cn: firstValue(certificate.subject, 'CN'),
    ou: firstValue(certificate.subject, 'OU'),
    o: firstValue(certificate.subject, 'O'),
  };
}

/** The subject values an identity template can refer to. */
export interface IdentitySubject {
  /** The RFC 2253 subject DN. */
  readonly dn: string;
  /** The first CN, OU and O values of the subject, where present. */
  readonly cn?: string | undefined;
  readonly ou?: string | undefined;
  readonly o?: string | undefined;
}

/**
 * Applies an identity template (Hono's `IdentityTemplate#apply`) to a certificate subject.
 *
 * @param template a template that passed {@link checkIdentityTemplate}.
 * @param subject the subject of the certificate.
 * @returns the identity, e.g. `device-4711` for `device-{{subject-cn}}`.
 * @throws RangeError if the template names an attribute the subject lacks (the certificate
 *   cannot be mapped: callers answer 401 or 400).
 */
export function applyIdentityTemplate(template: string, subject: IdentitySubject): string {
  return template.replace(PLACEHOLDER, (placeholder: string) => {
    const value = {
      '{{subject-dn}}': subject.dn,
      '{{subject-cn}}': subject.cn,
      '{{subject-ou}}': subject.ou,
      '{{subject-o}}': subject.o,
    }[placeholder];
    if (value === undefined) {
      throw new RangeError(`the certificate subject has no value for ${placeholder}`);
    }
    return value;
  });
}
