import { RegistryEndpoint } from '../addresses/registry-address';
import {
  ApplicationProperty,
  REGISTRY_OPERATIONS,
  RequestSubject,
} from './request-response.constants';

describe('REGISTRY_OPERATIONS', () => {
  it('maps each endpoint to Hono’s subjects', () => {
    expect(REGISTRY_OPERATIONS[RegistryEndpoint.TENANT]).toEqual(['get']);
    expect(REGISTRY_OPERATIONS[RegistryEndpoint.REGISTRATION]).toEqual(['assert']);
    expect(REGISTRY_OPERATIONS[RegistryEndpoint.CREDENTIALS]).toEqual(['get']);
    expect(RequestSubject).toEqual({ GET: 'get', ASSERT: 'assert' });
  });
});

describe('ApplicationProperty', () => {
  it('uses Hono’s underscore names', () => {
    expect(ApplicationProperty).toMatchObject({
      TENANT_ID: 'tenant_id',
      DEVICE_ID: 'device_id',
      GATEWAY_ID: 'gateway_id',
      STATUS: 'status',
      CACHE_CONTROL: 'cache_control',
      REGISTRATION_STATUS: 'hono_registration_status',
    });
  });
});
