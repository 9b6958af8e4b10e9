// Jest 30 in native ESM mode (run with NODE_OPTIONS=--experimental-vm-modules, see package.json).
const tsJest = [
  'ts-jest',
  // isolatedModules: type-checking is `npm run typecheck`'s job; ts-jest only transpiles (TS151002).
  { useESM: true, tsconfig: 'tsconfig.json' },
];

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  // Relative imports end in `.js` (nodenext); Jest resolves the `.ts` source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** @type {import('jest').Config} */
export default {
  // E2E tests boot the real app, on PostgreSQL in a fresh database with every migration: seconds on
  // a busy 2-core machine, where Jest's 5 s default failed tests that were right. (A global option:
  // Jest ignores testTimeout inside a project.)
  testTimeout: 30_000,
  // On a 2-core machine Jest runs every file in one process (one worker or fewer means in band),
  // and that process grew past 4 GB over 113 files: the last ones ran 10-20 times slower in garbage
  // collection (the whole suite 19 minutes instead of 8). With a memory limit Jest runs the files in
  // a worker instead, still one at a time, and starts a fresh one once a file leaves it above 1 GB.
  workerIdleMemoryLimit: '1GB',
  projects: [
    // bench/ is plain .mjs: its pure helpers' specs are .spec.mjs, run as they are.
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/bench'],
      testMatch: ['**/*.spec.ts', '**/*.spec.mjs'],
    },
    {
      ...shared,
      displayName: 'contract',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.contract-spec.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
    },
  ],
};
