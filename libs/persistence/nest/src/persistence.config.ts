import { z } from 'zod';

import { type ConfigOf, defineConfig, envSchemas, envVar } from '@tessera/config';

/** Which store a registry service uses, and where it is. */
export const PersistenceConfig = defineConfig(
  'persistence',
  {
    driver: envVar(
      'PERSISTENCE_DRIVER',
      z.enum(['embedded-postgres', 'postgres', 'mongodb']).default('embedded-postgres'),
      'embedded-postgres (a PostgreSQL started in-process, for trying Tessera), postgres or mongodb',
    ),
    postgresUrl: envVar(
      'POSTGRES_URL',
      envSchemas.url(['postgres', 'postgresql']).optional(),
      'PostgreSQL URL (postgres driver)',
      {
        sensitive: true,
      },
    ),
    postgresSchema: envVar(
      'POSTGRES_SCHEMA',
      z
        .string()
        .regex(/^[a-z_][a-z0-9_]*$/)
        .default('public'),
      'schema holding this service’s tables',
    ),
    mongodbUri: envVar(
      'MONGODB_URI',
      envSchemas.url(['mongodb', 'mongodb+srv']).optional(),
      'MongoDB URI (mongodb driver)',
      {
        sensitive: true,
      },
    ),
    mongodbDatabase: envVar(
      'MONGODB_DATABASE',
      z.string().min(1).default('tessera'),
      'MongoDB database',
    ),
    dataDir: envVar(
      'TESSERA_DATA_DIR',
      z.string().default('.tessera/data'),
      'data folder of embedded PostgreSQL',
    ),
    embeddedPostgresPort: envVar(
      'EMBEDDED_POSTGRES_PORT',
      envSchemas.port(28432),
      'port of embedded PostgreSQL (0 picks a free one)',
    ),
  },
  (c) => [
    ...(c.driver === 'postgres' && !c.postgresUrl
      ? ['POSTGRES_URL is required when PERSISTENCE_DRIVER=postgres']
      : []),
    ...(c.driver === 'mongodb' && !c.mongodbUri
      ? ['MONGODB_URI is required when PERSISTENCE_DRIVER=mongodb']
      : []),
  ],
);

export type PersistenceConfig = ConfigOf<typeof PersistenceConfig>;
