import { X509Certificate } from 'node:crypto';

import { ClientError } from '@tessera/registry-api';

/** Parses a Base64 DER (or PEM) certificate. @throws ClientError 400 if it is not one. */
export function parseCertificate(base64: string, code: string): X509Certificate {
  try {
    const text = base64.trim();
    return new X509Certificate(text.startsWith('-----BEGIN') ? text : Buffer.from(text, 'base64'));
  } catch (cause) {
    throw new ClientError(400, code, 'cert is not a valid X.509 certificate', { cause });
  }
}
