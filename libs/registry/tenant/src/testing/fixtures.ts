/*
 * Test data made once with openssl; the expected values come from Java 17
 * (`X509Certificate#getSubjectX500Principal().getName(RFC2253)`, `getPublicKey().getAlgorithm()`).
 */

/** A self-signed EC P-256 CA certificate (Base64 DER) with a multi-valued RDN, an escaped comma and an emailAddress. */
export const CA_CERT =
  'MIICHzCCAcWgAwIBAgIUNicWvHaeVyuMTKRWc7Jv0XzmszgwCgYIKoZIzj0EAwIwZTELMAkGA1UEBhMCQ0ExFDASBgNVBAoMC0VjbGlwc2UgSW9UMRcwCAYDVQQLDAF4MAsGA1UECwwESG9ubzERMA8GA1UEAwwIVGVzdCwgQ0ExFDASBgkqhkiG9w0BCQEWBWFAYi5jMB4XDTI2MTEyMjA1MjMwN1oXDTQ2MTExNzA1MjMwN1owZTELMAkGA1UEBhMCQ0ExFDASBgNVBAoMC0VjbGlwc2UgSW9UMRcwCAYDVQQLDAF4MAsGA1UECwwESG9ubzERMA8GA1UEAwwIVGVzdCwgQ0ExFDASBgkqhkiG9w0BCQEWBWFAYi5jMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEO5T1hIznFG/XsS9UQW+N9T03SvQ7BW2+XIeKzJdqvK9nym9rDJ+mDSfNf/deDah6r+sXOqVSH4f5sfMnvs1EbqNTMFEwHQYDVR0OBBYEFOvr9Z7TN7VbxZzZU8Ilaa0KSwaxMB8GA1UdIwQYMBaAFOvr9Z7TN7VbxZzZU8Ilaa0KSwaxMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAL1StWCz/fjYJb0dcVv2SqCboey4rdDf8Xz2mTAO68PWAiAX0UxkfmJtk4gsI8Bv281sro+YYeeR27vvIeYUaNWnpw==';

/** What Hono derives from {@link CA_CERT}. */
export const CA_CERT_DERIVED = {
  'subject-dn':
    '1.2.840.113549.1.9.1=#16056140622e63,CN=Test\\, CA,OU=x+OU=Hono,O=Eclipse IoT,C=CA',
  'public-key':
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEO5T1hIznFG/XsS9UQW+N9T03SvQ7BW2+XIeKzJdqvK9nym9rDJ+mDSfNf/deDah6r+sXOqVSH4f5sfMnvs1Ebg==',
  algorithm: 'EC',
  'not-before': '2026-11-22T05:23:07Z',
  'not-after': '2046-11-17T05:23:07Z',
} as const;

/** An RSA public key (Base64 DER SubjectPublicKeyInfo). */
export const RSA_PUBLIC_KEY =
  'MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDIMwBCV6fUo8Ln7vRsJq+1jz2a2YfTnro+Q+XRXLJOqx5QciZZQ3bZXZdtg6Pn1c78Awkrm643k+jXGu4PPbUBkNbjWsOI1Y52wm0Vs8Ism48S9xWwDJm3+gD4yJS0tkHisQTj28bt232sEEk731XS7iB/H9OXSWg6u0XfhRWqmwIDAQAB';

/** An EC P-256 public key (Base64 DER SubjectPublicKeyInfo), the one of Hono's DEFAULT_TENANT. */
export const EC_PUBLIC_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAElNXF6jy6KA1oe3KVYOCcT1+cF7B+IAOwo7MvVcaoLAvhJi/d2YDVw2NSfSOBpX+M0de8tIx4b7J6e/li2pKafQ==';

/** A trusted CA given by public key. */
export function publicKeyCa(
  subjectDn: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    'subject-dn': subjectDn,
    'public-key': RSA_PUBLIC_KEY,
    'not-before': '2024-01-01T00:00:00Z',
    'not-after': '2044-01-01T00:00:00Z',
    ...extra,
  };
}
