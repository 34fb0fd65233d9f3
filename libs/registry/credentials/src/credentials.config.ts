import { z } from 'zod';

import { type ConfigOf, defineConfig, envVar } from '@tessera/config';

/** How the credentials service hashes passwords. */
export const CredentialsConfig = defineConfig(
  'credentials',
  {
    bcryptCost: envVar(
      'BCRYPT_COST',
      z.coerce.number().int().min(4).max(31).default(10),
      'bcrypt cost factor used to hash pwd-plain (Hono default 10)',
    ),
    maxBcryptCost: envVar(
      'MAX_BCRYPT_COST',
      z.coerce.number().int().min(4).max(31).default(10),
      'highest bcrypt cost accepted in a pwd-hash (Hono maxBcryptCostFactor)',
    ),
  },
  (c) => (c.bcryptCost > c.maxBcryptCost ? ['BCRYPT_COST must not exceed MAX_BCRYPT_COST'] : []),
);

export type CredentialsConfig = ConfigOf<typeof CredentialsConfig>;
