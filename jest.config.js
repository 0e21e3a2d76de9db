// @ts-check
const fs = require('node:fs');
const path = require('node:path');

/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['apps', 'libs', 'workflows', 'activities', 'test']
    .map((d) => path.join(__dirname, d))
    .filter((d) => fs.existsSync(d)),
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The path aliases of tsconfig.json: @jit/<lib>[/<module>].
  moduleNameMapper: {
    '^@jit/(workflows|activities)(/.*)?$': '<rootDir>/$1/src$2',
    '^@jit/([^/]+)(/.*)?$': '<rootDir>/libs/$1/src$2',
  },
  transform: {
    // Type-checked (diagnostics stay on; ts-jest caches per file between runs). 151002 only warns
    // that `module: node20` is a hybrid module kind; the output is CommonJS either way.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
