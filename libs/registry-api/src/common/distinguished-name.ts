import { X509Certificate } from 'node:crypto';

/*
 * RFC 2253 distinguished names exactly as Hono's Java code prints them
 * (`X500Principal#getName(RFC2253)`), so that subject DNs stored by the registry equal the ones a
 * Java or a Tessera adapter derives from a client certificate. Only the RFC 2253 keywords are
 * printed as names; every other attribute becomes `<oid>=#<hex of its DER value>`.
 */

/** One attribute of a name: its OID and its DER value (tag, length, contents). */
interface Ava {
  readonly oid: string;
  readonly value: Buffer;
}

const RFC2253_KEYWORDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

// The keywords Java's X500Principal accepts in string form.
const INPUT_KEYWORDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  S: '2.5.4.8',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  IP: '1.3.6.1.4.1.42.2.11.2.1',
  STREET: '2.5.4.9',
  DC: '0.9.2342.19200300.100.1.25',
  DNQUALIFIER: '2.5.4.46',
  DNQ: '2.5.4.46',
  SURNAME: '2.5.4.4',
  GIVENNAME: '2.5.4.42',
  INITIALS: '2.5.4.43',
  GENERATION: '2.5.4.44',
  EMAIL: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
  UID: '0.9.2342.19200300.100.1.1',
  SERIALNUMBER: '2.5.4.5',
};

const IA5_OIDS = new Set(['1.2.840.113549.1.9.1', '0.9.2342.19200300.100.1.25']);
const TAG = { OID: 0x06, UTF8: 0x0c, PRINTABLE: 0x13, IA5: 0x16, SEQUENCE: 0x30, SET: 0x31 };
const ESCAPED = ',=+<>#;"\\';
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

function readTlv(der: Buffer, offset: number, limit = der.length): Tlv {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) {
    throw new TypeError('malformed DER');
  }
  let length = first;
  let contentStart = offset + 2;
  if (first >= 0x80) {
    const bytes = first & 0x7f;
    if (bytes === 0 || bytes > 4) throw new TypeError('malformed DER length');
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[contentStart + i] ?? NaN);
    contentStart += bytes;
  }
  const end = contentStart + length;
  if (!Number.isFinite(end) || end > limit) throw new TypeError('truncated DER');
  return { tag, start: offset, contentStart, end };
}

function childrenOf(der: Buffer, parent: Tlv): Tlv[] {
  const children: Tlv[] = [];
  for (let offset = parent.contentStart; offset < parent.end;) {
    const child = readTlv(der, offset, parent.end);
    children.push(child);
    offset = child.end;
  }
  return children;
}

function encodeTlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : (() => {
          const bytes: number[] = [];
          for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
          return Buffer.from([0x80 | bytes.length, ...bytes]);
        })();
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function decodeOid(content: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const top = Math.min(Math.floor(value / 40), 2);
        arcs.push(top, value - top * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  if (arcs.length === 0) throw new TypeError('empty OID');
  return arcs.join('.');
}

// The string types Java prints as text in RFC 2253 (AVA#isDerString, non-canonical).
function decodeString(tag: number, content: Buffer): string | undefined {
  switch (tag) {
    case TAG.UTF8:
      return content.toString('utf8');
    case TAG.PRINTABLE:
    case TAG.IA5:
    case 0x14: // TeletexString
    case 0x1b: // GeneralString
      return content.toString('latin1');
    case 0x1e: {
      // BMPString: UTF-16BE
      const le = Buffer.from(content);
      le.swap16();
      return le.toString('utf16le');
    }
    default:
      return undefined;
  }
}

function escapeValue(text: string): string {
  const chars: string[] = [];
  for (const ch of text) {
    if (ESCAPED.includes(ch)) chars.push(`\\${ch}`);
    else if (ch === '\u0000') chars.push('\\00');
    else chars.push(ch);
  }
  const blank = (ch: string | undefined): boolean => ch === ' ' || ch === '\r';
  let lead = 0;
  while (lead < chars.length && blank(chars[lead])) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && blank(chars[trail])) trail--;
  return chars.map((ch, i) => (i < lead || i > trail ? `\\${ch}` : ch)).join('');
}

function formatAva(ava: Ava): string {
  const keyword = RFC2253_KEYWORDS[ava.oid];
  const tlv = readTlv(ava.value, 0);
  const text =
    keyword === undefined
      ? undefined
      : decodeString(tlv.tag, ava.value.subarray(tlv.contentStart, tlv.end));
  return text === undefined
    ? `${keyword ?? ava.oid}=#${ava.value.toString('hex')}`
    : `${keyword ?? ava.oid}=${escapeValue(text)}`;
}

// RFC 2253 lists the most specific RDN first, i.e. the reverse of the DER order.
function formatName(rdns: readonly (readonly Ava[])[], order: 'der' | 'rfc2253'): string {
  const list = order === 'der' ? [...rdns].reverse() : rdns;
  return list.map((rdn) => rdn.map(formatAva).join('+')).join(',');
}

function parseNameDer(der: Buffer): Ava[][] {
  const name = readTlv(der, 0);
  if (name.tag !== TAG.SEQUENCE || name.end !== der.length) throw new TypeError('not a Name');
  return childrenOf(der, name).map((set) => {
    if (set.tag !== TAG.SET) throw new TypeError('not an RDN');
    return childrenOf(der, set).map((seq) => {
      const [type, value, ...rest] = seq.tag === TAG.SEQUENCE ? childrenOf(der, seq) : [];
      if (type?.tag !== TAG.OID || value === undefined || rest.length > 0) {
        throw new TypeError('not an attribute');
      }
      return {
        oid: decodeOid(der.subarray(type.contentStart, type.end)),
        value: Buffer.from(der.subarray(value.start, value.end)),
      };
    });
  });
}

/**
 * Formats a DER-encoded X.501 `Name` as an RFC 2253 string, as Java's `X500Principal` does.
 * @throws TypeError if `der` is not a Name.
 */
export function formatDistinguishedName(der: Buffer): string {
  return formatName(parseNameDer(der), 'der');
}

/** The subject of a certificate: its RFC 2253 form (Java's) and its DER encoding. */
export interface CertificateSubject {
  readonly dn: string;
  readonly der: Buffer;
}

/** The subject DN of a certificate, as Hono prints it (`getSubjectX500Principal().getName(RFC2253)`). */
export function subjectOf(certificate: X509Certificate): CertificateSubject {
  return nameOf(certificate, 4, 'subject');
}

/**
 * The issuer DN of a certificate, as Hono prints it (`getIssuerX500Principal().getName(RFC2253)`):
 * how an adapter finds the tenant whose trusted CA issued a client certificate.
 */
export function issuerOf(certificate: X509Certificate): CertificateSubject {
  return nameOf(certificate, 2, 'issuer');
}

function nameOf(certificate: X509Certificate, index: number, what: string): CertificateSubject {
  const raw = certificate.raw;
  const [tbs] = childrenOf(raw, readTlv(raw, 0));
  if (tbs === undefined) throw new TypeError('not a certificate');
  const fields = childrenOf(raw, tbs);
  // TBSCertificate: [0] version (optional), serialNumber, signature, issuer, validity, subject
  const name = fields[(fields[0]?.tag === 0xa0 ? 1 : 0) + index];
  if (name === undefined) throw new TypeError(`certificate without ${what}`);
  const der = Buffer.from(raw.subarray(name.start, name.end));
  return { dn: formatDistinguishedName(der), der };
}

function oidOf(type: string): string {
  const upper = type.toUpperCase();
  const keyword = INPUT_KEYWORDS[upper];
  if (keyword !== undefined) return keyword;
  const oid = upper.startsWith('OID.') ? type.slice(4) : type;
  if (/^[0-2](\.\d+)+$/.test(oid)) return oid;
  throw new TypeError(`unknown attribute type ${type}`);
}

function encodeString(oid: string, text: string): Buffer {
  const tag = IA5_OIDS.has(oid) ? TAG.IA5 : PRINTABLE.test(text) ? TAG.PRINTABLE : TAG.UTF8;
  return encodeTlv(tag, Buffer.from(text, tag === TAG.UTF8 ? 'utf8' : 'latin1'));
}

class DnParser {
  private i = 0;

  constructor(private readonly text: string) {}

  parse(): Ava[][] {
    const rdns: Ava[][] = [];
    if (this.text.trim() === '') return rdns;
    for (;;) {
      const rdn: Ava[] = [];
      for (;;) {
        rdn.push(this.ava());
        this.spaces();
        if (this.peek() !== '+') break;
        this.i++;
      }
      rdns.push(rdn);
      const next = this.peek();
      if (next === undefined) return rdns;
      if (next !== ',' && next !== ';') throw new TypeError(`unexpected ${next}`);
      this.i++;
    }
  }

  private peek(): string | undefined {
    return this.text[this.i];
  }

  private spaces(): void {
    while (this.peek() === ' ') this.i++;
  }

  private ava(): Ava {
    this.spaces();
    const equals = this.text.indexOf('=', this.i);
    if (equals < 0) throw new TypeError('attribute without value');
    const type = this.text.slice(this.i, equals).trim();
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(type) && !/^(oid\.)?[0-9.]+$/i.test(type)) {
      throw new TypeError(`invalid attribute type ${type}`);
    }
    const oid = oidOf(type);
    this.i = equals + 1;
    this.spaces();
    if (this.peek() === '#') return { oid, value: this.hexValue() };
    return { oid, value: encodeString(oid, this.peek() === '"' ? this.quoted() : this.plain()) };
  }

  private hexValue(): Buffer {
    const match = /^#([0-9A-Fa-f]*)/.exec(this.text.slice(this.i));
    const hex = match?.[1] ?? '';
    this.i += hex.length + 1;
    const value = Buffer.from(hex, 'hex');
    if (hex.length === 0 || hex.length % 2 !== 0 || readTlv(value, 0).end !== value.length) {
      throw new TypeError('invalid hex value');
    }
    return value;
  }

  private quoted(): string {
    this.i++;
    const bytes: number[] = [];
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new TypeError('unterminated quoted value');
      if (ch === '"') break;
      this.char(bytes);
    }
    this.i++;
    return Buffer.from(bytes).toString('utf8');
  }

  private plain(): string {
    const bytes: number[] = [];
    let keep = 0;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === ',' || ch === ';' || ch === '+') break;
      if (ch === '"' || ch === '<' || ch === '>') throw new TypeError(`unescaped ${ch}`);
      const escaped = this.char(bytes);
      // Unescaped trailing spaces are not part of the value.
      if (escaped || ch !== ' ') keep = bytes.length;
    }
    return Buffer.from(bytes.slice(0, keep)).toString('utf8');
  }

  /** Appends the next (possibly escaped) character's UTF-8 bytes; returns whether it was escaped. */
  private char(bytes: number[]): boolean {
    const ch = this.peek() ?? '';
    if (ch !== '\\') {
      const codePoint = this.text.codePointAt(this.i) ?? 0;
      const text = String.fromCodePoint(codePoint);
      bytes.push(...Buffer.from(text, 'utf8'));
      this.i += text.length;
      return false;
    }
    const next = this.text[this.i + 1];
    if (next !== undefined && (ESCAPED.includes(next) || next === ' ')) {
      bytes.push(next.charCodeAt(0));
      this.i += 2;
      return true;
    }
    const hex = this.text.slice(this.i + 1, this.i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      this.i += 3;
      return true;
    }
    throw new TypeError('invalid escape');
  }
}

/**
 * Normalises a distinguished name given as text (RFC 2253/4514, also `;` separators, spaces around
 * separators, quoted values and the keywords Java accepts) to the form Java prints, so that
 * `cn=Devices, o=ACME` and `CN=Devices,O=ACME` are the same DN.
 * @returns the normalised DN, or undefined if `text` is not a DN.
 */
export function normalizeDistinguishedName(text: string): string | undefined {
  try {
    return formatName(new DnParser(text).parse(), 'rfc2253');
  } catch {
    return undefined;
  }
}
