import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { devCertificate, makeDevCertificate } from './dev-certificate';

describe(makeDevCertificate.name, () => {
  it('makes a valid self-signed localhost server certificate for its own key', () => {
    const { key, cert } = makeDevCertificate('Tessera embedded (localhost)');
    const x509 = new X509Certificate(cert);
    expect(x509.subject).toBe('CN=Tessera embedded (localhost)');
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    const days = (Date.parse(x509.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364);
  });
});

describe(devCertificate.name, () => {
  it('keeps the certificate across starts, with an owner-only key file', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tessera-tls-')), 'tls');
    const first = devCertificate(dir);
    const second = devCertificate(dir);
    expect(second.cert).toBe(first.cert);
    expect(readFileSync(first.certFile, 'utf8')).toBe(first.cert);
    expect(statSync(join(dir, 'server.key')).mode & 0o777).toBe(0o600);
  });
});
