import { formatDistinguishedName, normalizeDistinguishedName } from './distinguished-name';

// Every expectation below is what Java 17's X500Principal#getName(RFC2253) prints.
describe(normalizeDistinguishedName.name, () => {
  it.each([
    ['cn=foo, o=bar', 'CN=foo,O=bar'],
    ['CN=foo;O=bar', 'CN=foo,O=bar'],
    ['cn = spaced , o = x', 'CN=spaced,O=x'],
    ['CN=  two lead', 'CN=two lead'],
    ['CN=x  , O=y  ', 'CN=x,O=y'],
    [
      'CN=DEFAULT_TENANT_CA,OU=Hono,O=Eclipse IoT,L=Ottawa,C=CA',
      'CN=DEFAULT_TENANT_CA,OU=Hono,O=Eclipse IoT,L=Ottawa,C=CA',
    ],
    ['CN=a\\=b', 'CN=a\\=b'],
    ['CN=a=b', 'CN=a\\=b'],
    ['CN=a#b', 'CN=a\\#b'],
    ['CN=\\#x', 'CN=\\#x'],
    ['CN=\\ lead', 'CN=\\ lead'],
    ['C=CA,CN=trail\\ ', 'C=CA,CN=trail\\ '],
    ['CN="quoted, val"', 'CN=quoted\\, val'],
    ['CN=""', 'CN='],
    ['CN=', 'CN='],
    ['CN=\\C3\\A9', 'CN=é'],
    ['CN=\\41BC', 'CN=ABC'],
    ['CN=x+OU=y,O=z', 'CN=x+OU=y,O=z'],
    ['UID=u,DC=example,DC=com', 'UID=u,DC=example,DC=com'],
    ['S=state', 'ST=state'],
    ['OID.2.5.4.3=oid', 'CN=oid'],
    ['2.5.4.3=oid2', 'CN=oid2'],
    ['CN=#0403616263', 'CN=#0403616263'],
    ['EMAILADDRESS=a@b.c,CN=x', '1.2.840.113549.1.9.1=#16056140622e63,CN=x'],
    ['SERIALNUMBER=123,CN=x', '2.5.4.5=#1303313233,CN=x'],
    ['T=Dr.,SURNAME=Müller', '2.5.4.12=#130344722e,2.5.4.4=#0c074dc3bc6c6c6572'],
    ['1.2.3.4=plain', '1.2.3.4=#1305706c61696e'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeDistinguishedName(input)).toBe(expected);
  });

  it.each([
    'nonsense',
    'foo=bar',
    'CN=x,',
    ',CN=x',
    'CN=x+',
    'CN=x;;O=y',
    'CN=a"b',
    'CN=a<b>c',
    'CN=a\\zb',
    'CN=x\\',
  ])('rejects %s', (input) => {
    expect(normalizeDistinguishedName(input)).toBeUndefined();
  });
});

describe(formatDistinguishedName.name, () => {
  it('prints a DER name in reverse order, multi-valued RDNs in DER order, other types as hex', () => {
    const der = Buffer.from(
      '3059310b300906035504061302444531173015060a0992268993f22c64011916076578616d706c653113' +
        '3011060355040a130a41434d452c20496e632e311c3009060355040513023432300f06035504031308446576' +
        '6963652031',
      'hex',
    );
    expect(formatDistinguishedName(der)).toBe(
      '2.5.4.5=#13023432+CN=Device 1,O=ACME\\, Inc.,DC=example,C=DE',
    );
  });

  it('rejects what is not a Name', () => {
    expect(() => formatDistinguishedName(Buffer.from('0403616263', 'hex'))).toThrow(TypeError);
    expect(() => formatDistinguishedName(Buffer.from('3005', 'hex'))).toThrow(TypeError);
  });
});
