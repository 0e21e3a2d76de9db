// @ts-check
const fs = require('node:fs');
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['apps', 'libs', 'workflows', 'activities', 'test'].map((d) => path.join(__dirname, d)).filter((d) => fs.existsSync(d)),
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The path aliases of tsconfig.json: @jit/<lib>[/<module>], and the tests' helpers.
  moduleNameMapper: {
    '^@jit/test-support/(.*)$': '<rootDir>/test/support/$1',
    '^@jit/(workflows|activities)(/.*)?$': '<rootDir>/$1/src$2',
    '^@jit/([^/]+)(/.*)?$': '<rootDir>/libs/$1/src$2',
  },
  transform: {
    // Transpiled file by file (tsconfig.jest.json): types are checked by `npm run lint` and the build.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
