// Unit tests: *.spec.ts next to the source; no servers needed.
const preset = require('./jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'unit',
  roots: ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools'],
  testMatch: ['**/*.spec.ts'],
};
