import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runProgram } from './processes';

/** A key pair and certificate made with openssl, as PEM files and DER bytes. */
export interface TestCertificate {
  readonly keyFile: string;
  readonly certFile: string;
  readonly keyPem: string;
  readonly certPem: string;
  /** The certificate's DER bytes, Base64 (what the registry stores as `cert`). */
  readonly derBase64: string;
}

async function openssl(args: readonly string[]): Promise<void> {
  const result = await runProgram('openssl', args);
  if (result.code !== 0) throw new Error(`openssl ${args[0] ?? ''} failed: ${result.stderr}`);
}

function load(keyFile: string, certFile: string): TestCertificate {
  const certPem = readFileSync(certFile, 'utf8');
  return {
    keyFile,
    certFile,
    keyPem: readFileSync(keyFile, 'utf8'),
    certPem,
    derBase64: certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''),
  };
}

/**
 * Test PKI with openssl (a tool nobody here wrote): CAs, and certificates they sign, with EC P-256
 * keys. Files live in a temporary directory of their own.
 */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'tessera-pki-'));
  private serial = 1;

  /** A self-signed CA (also usable as a server certificate with `-addext` SANs for 127.0.0.1). */
  async selfSigned(
    name: string,
    subject: string,
    options: { server?: boolean } = {},
  ): Promise<TestCertificate> {
    const keyFile = join(this.dir, `${name}.key`);
    const certFile = join(this.dir, `${name}.crt`);
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      subject,
      ...(options.server
        ? ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost']
        : [
            '-addext',
            'basicConstraints=critical,CA:TRUE',
            '-addext',
            'keyUsage=critical,keyCertSign,cRLSign',
          ]),
    ]);
    return load(keyFile, certFile);
  }

  /**
   * A certificate signed by `ca`.
   * @param options.extendedKeyUsage e.g. `clientAuth` (default) or `serverAuth` (a wrong usage).
   * @param options.days validity; a negative value makes an expired certificate.
   */
  async issue(
    ca: TestCertificate,
    name: string,
    subject: string,
    options: { extendedKeyUsage?: string; days?: number } = {},
  ): Promise<TestCertificate> {
    const keyFile = join(this.dir, `${name}.key`);
    const csrFile = join(this.dir, `${name}.csr`);
    const certFile = join(this.dir, `${name}.crt`);
    const extFile = join(this.dir, `${name}.ext`);
    writeFileSync(extFile, `extendedKeyUsage=${options.extendedKeyUsage ?? 'clientAuth'}\n`);
    await openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      csrFile,
      '-subj',
      subject,
    ]);
    const days = options.days ?? 2;
    if (days >= 0) {
      await openssl([
        'x509',
        '-req',
        '-in',
        csrFile,
        '-CA',
        ca.certFile,
        '-CAkey',
        ca.keyFile,
        '-set_serial',
        String(this.serial++),
        '-out',
        certFile,
        '-extfile',
        extFile,
        '-days',
        String(days),
      ]);
    } else {
      // `openssl x509` (3.0) cannot date a certificate in the past; `openssl ca` can.
      const db = join(this.dir, `${name}-ca`);
      mkdirSync(db);
      writeFileSync(join(db, 'index.txt'), '');
      writeFileSync(join(db, 'serial'), `${(this.serial++).toString(16).padStart(2, '0')}\n`);
      const config = join(db, 'ca.cnf');
      writeFileSync(
        config,
        [
          '[ca]',
          'default_ca = tca',
          '[tca]',
          `database = ${join(db, 'index.txt')}`,
          `new_certs_dir = ${db}`,
          `serial = ${join(db, 'serial')}`,
          'default_md = sha256',
          'policy = any',
          'preserve = yes',
          '[any]',
          'commonName = supplied',
          'organizationName = optional',
          'organizationalUnitName = optional',
          '[ext]',
          `extendedKeyUsage = ${options.extendedKeyUsage ?? 'clientAuth'}`,
          '',
        ].join('\n'),
      );
      await openssl([
        'ca',
        '-batch',
        '-config',
        config,
        '-cert',
        ca.certFile,
        '-keyfile',
        ca.keyFile,
        '-in',
        csrFile,
        '-out',
        certFile,
        '-startdate',
        '20200101000000Z',
        '-enddate',
        '20200102000000Z',
        '-extensions',
        'ext',
        '-notext',
      ]);
    }
    return load(keyFile, certFile);
  }
}
