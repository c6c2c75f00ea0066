import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { failOnSkip } from './test/support/fail-on-skip.ts';

const require = createRequire(import.meta.url);

export default defineConfig({
  // Under NHI_FAIL_ON_SKIP=1 or CI=true a skipped or todo test fails the run (test/support/fail-on-skip.ts).
  plugins: [failOnSkip()],
  resolve: {
    // graphql 16 ships CJS and ESM without an exports map: vitest would hand test files the .mjs while
    // yoga and Pothos get the CJS build ("another module or realm"). Pin everything to one copy.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
