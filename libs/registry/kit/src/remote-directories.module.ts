import { type DynamicModule, Global, Module } from '@nestjs/common';
import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

import {
  DeviceDirectory,
  HttpDeviceDirectory,
  HttpTenantDirectory,
  TenantDirectory,
} from './directories';

/** Where the other registry services are, for a service running on its own. */
export const RemoteRegistryConfig = defineConfig('registry.remote', {
  tenantServiceUrl: envVar(
    'TENANT_SERVICE_URL',
    envSchemas.url(['http', 'https']).optional(),
    'management API of the tenant service (device and credentials services)',
  ),
  deviceServiceUrl: envVar(
    'DEVICE_SERVICE_URL',
    envSchemas.url(['http', 'https']).optional(),
    'management API of the device registration service (credentials service)',
  ),
  username: envVar(
    'REGISTRY_SERVICE_USER',
    z.string().optional(),
    'user for calls between registry services',
  ),
  password: envVar('REGISTRY_SERVICE_PASSWORD', z.string().optional(), 'its password', {
    sensitive: true,
  }),
});

export type RemoteRegistryConfig = ConfigOf<typeof RemoteRegistryConfig>;

/** Provides the directories of the services this one talks to over HTTP. */
@Global()
@Module({})
export class RemoteDirectoriesModule {
  static forRoot(
    config: RemoteRegistryConfig,
    needs: { tenants: boolean; devices: boolean },
  ): DynamicModule {
    const auth = { username: config.username, password: config.password };
    const providers = [];
    if (needs.tenants) {
      if (!config.tenantServiceUrl) throw new Error('TENANT_SERVICE_URL is required');
      providers.push({
        provide: TenantDirectory,
        useValue: new HttpTenantDirectory({ url: config.tenantServiceUrl, ...auth }),
      });
    }
    if (needs.devices) {
      if (!config.deviceServiceUrl) throw new Error('DEVICE_SERVICE_URL is required');
      providers.push({
        provide: DeviceDirectory,
        useValue: new HttpDeviceDirectory({ url: config.deviceServiceUrl, ...auth }),
      });
    }
    return { module: RemoteDirectoriesModule, providers, exports: providers.map((p) => p.provide) };
  }
}
