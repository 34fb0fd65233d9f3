// Integration tests: *.int-spec.ts against the real servers that deploy/local/infra.sh started.
const preset = require('./jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'integration',
  roots: ['<rootDir>/libs', '<rootDir>/services'],
  testMatch: ['**/*.int-spec.ts'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
  testTimeout: 60_000,
  maxWorkers: 2,
};
