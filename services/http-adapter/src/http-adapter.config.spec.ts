import { ConfigError, loadConfig } from '@tessera/config';

import { HttpAdapterConfig } from './http-adapter.config';

describe('HttpAdapterConfig', () => {
  it('bounds the request head and its timing by default', () => {
    expect(loadConfig({ http: HttpAdapterConfig }, {}).http).toMatchObject({
      port: 8080,
      tlsPort: 8443,
      maxHeaderSize: 8_192,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
    });
  });

  it('reads the limits', () => {
    const { http } = loadConfig(
      { http: HttpAdapterConfig },
      {
        HTTP_ADAPTER_MAX_HEADER_SIZE: '4096',
        HTTP_ADAPTER_HEADERS_TIMEOUT_MS: '2000',
        HTTP_ADAPTER_REQUEST_TIMEOUT_MS: '2000',
      },
    );
    expect(http).toMatchObject({
      maxHeaderSize: 4_096,
      headersTimeoutMs: 2_000,
      requestTimeoutMs: 2_000,
    });
  });

  it.each([
    { HTTP_ADAPTER_MAX_HEADER_SIZE: '0' },
    { HTTP_ADAPTER_HEADERS_TIMEOUT_MS: 'soon' },
    // Node refuses a headers timeout above the request timeout.
    { HTTP_ADAPTER_HEADERS_TIMEOUT_MS: '5000', HTTP_ADAPTER_REQUEST_TIMEOUT_MS: '4000' },
  ])('refuses %p', (env) => {
    expect(() => loadConfig({ http: HttpAdapterConfig }, env)).toThrow(ConfigError);
  });
});
