// One Jest run, three tiers, told apart by file name (see STYLE.md, "Tests in three tiers").
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.stack/'],
};

/** @type {import('jest').Config} */
module.exports = {
  // A run whose tests are done but whose process stays up (an open handle) fails after 60 s.
  reporters: ['default', '<rootDir>/infra/local/jest.exit-watchdog.js'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'int',
      testMatch: ['<rootDir>/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/infra/local/jest.global-setup.js',
      setupFilesAfterEnv: ['<rootDir>/infra/local/jest.int-timeout.js'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/infra/local/jest.global-setup.js',
      setupFilesAfterEnv: ['<rootDir>/infra/local/jest.e2e-timeout.js'],
    },
  ],
};
