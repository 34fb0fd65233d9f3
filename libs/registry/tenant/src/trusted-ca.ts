import { createPublicKey, randomUUID, X509Certificate } from 'node:crypto';

import { ClientError, formatHonoTimestamp, type TrustedCa } from '@tessera/registry-api';
import { normalizeDistinguishedName, subjectOf } from '@tessera/registry-kit';

// Key types Java's KeyFactory accepts for each algorithm name (Hono checks public keys with it).
const KEY_TYPES: Readonly<Record<string, readonly string[]>> = {
  RSA: ['rsa', 'rsa-pss'],
  EC: ['ec'],
  DSA: ['dsa'],
  EDDSA: ['ed25519', 'ed448'],
  ED25519: ['ed25519'],
  ED448: ['ed448'],
};

// The names Java gives a certificate's key (`PublicKey#getAlgorithm`).
const JAVA_ALGORITHM: Readonly<Record<string, string>> = {
  rsa: 'RSA',
  'rsa-pss': 'RSASSA-PSS',
  ec: 'EC',
  dsa: 'DSA',
  ed25519: 'EdDSA',
  ed448: 'EdDSA',
};

function invalid(index: number, problem: string, tenantId: string | undefined): ClientError {
  return new ClientError(
    400,
    'TENANT.INVALID_TRUSTED_CA',
    `trusted-ca[${String(index)}]: ${problem}`,
    {
      ...(tenantId === undefined ? {} : { tenantId }),
    },
  );
}

function fromCertificate(ca: TrustedCa, index: number, tenantId: string | undefined): TrustedCa {
  let cert: X509Certificate;
  let subject: ReturnType<typeof subjectOf>;
  try {
    cert = new X509Certificate(Buffer.from(ca.cert ?? '', 'base64'));
    subject = subjectOf(cert);
  } catch {
    throw invalid(index, 'cert is not a DER-encoded X.509 certificate', tenantId);
  }
  const keyType = cert.publicKey.asymmetricKeyType ?? '';
  // As in Hono, a certificate supersedes the members it determines.
  return {
    ...ca,
    'subject-dn': subject.dn,
    'subject-dn-bytes': subject.der.toString('base64'),
    'public-key': cert.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    algorithm: JAVA_ALGORITHM[keyType] ?? keyType.toUpperCase(),
    'not-before': formatHonoTimestamp(new Date(cert.validFrom)),
    'not-after': formatHonoTimestamp(new Date(cert.validTo)),
  };
}

function fromPublicKey(ca: TrustedCa, index: number, tenantId: string | undefined): TrustedCa {
  const algorithm = ca.algorithm ?? 'RSA';
  const accepted = KEY_TYPES[algorithm.toUpperCase()];
  if (accepted === undefined) throw invalid(index, `unsupported algorithm ${algorithm}`, tenantId);
  let keyType: string | undefined;
  try {
    keyType = createPublicKey({
      key: Buffer.from(ca['public-key'] ?? '', 'base64'),
      format: 'der',
      type: 'spki',
    }).asymmetricKeyType;
  } catch {
    throw invalid(index, 'public-key is not a DER-encoded SubjectPublicKeyInfo', tenantId);
  }
  if (keyType === undefined || !accepted.includes(keyType)) {
    throw invalid(index, `public-key is not an ${algorithm} key`, tenantId);
  }
  const subjectDn = normalizeDistinguishedName(ca['subject-dn'] ?? '');
  if (subjectDn === undefined || subjectDn === '') {
    throw invalid(index, 'subject-dn is not an RFC 2253 distinguished name', tenantId);
  }
  return { ...ca, 'subject-dn': subjectDn };
}

/**
 * Completes a tenant's trusted CAs the way Hono does before storing them: a CA given by `cert`
 * gets subject DN, public key, algorithm and validity from the certificate; a CA given by
 * `public-key` must hold a key of its `algorithm` (RSA by default) and a parseable subject DN,
 * which is normalised to Java's RFC 2253 form; a CA without `id` gets a random UUID.
 * (Schema rules, such as unique ids and valid templates, are checked before.)
 * @throws ClientError 400 naming the offending entry.
 */
export function completeTrustedCas(
  cas: readonly TrustedCa[],
  tenantId: string | undefined,
): TrustedCa[] {
  return cas.map((ca, index) => {
    const completed =
      ca.cert === undefined
        ? fromPublicKey(ca, index, tenantId)
        : fromCertificate(ca, index, tenantId);
    return ca.id === undefined ? { id: randomUUID(), ...completed } : completed;
  });
}
