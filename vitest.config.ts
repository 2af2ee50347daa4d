import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // test/unit mirrors src/; the test helpers' own tests sit beside them in test/support/.
          include: ['test/unit/**/*.test.ts', 'test/support/**/*.test.ts'],
          // The property tests run hundreds of cases: on a shared 2-core machine 5 s is not enough.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          // npm run test:deploy: the shipped artefacts (Dockerfile, compose, manifests, alerts), rendered
          // with kubectl and checked with promtool, which .ci/run installs: not a unit suite.
          name: 'deploy',
          include: ['test/deploy/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // One broker and one emulator are shared: files run one after another.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          // npm run test:container: the image built and run through testcontainers against the
          // integration suite's Kafka and moto; needs a Docker engine (CI starts one).
          name: 'container',
          include: ['test/container/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          // testcontainers' reaper is an image from a registry; the suite removes what it starts.
          env: { TESTCONTAINERS_RYUK_DISABLED: 'true' },
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 1_200_000,
        },
      },
      {
        test: {
          // npm run test:faults: SIGKILLs, a broker restart, Cognito outages and a rebalance on a
          // stack of its own (test/faults/global-setup.ts); FAULTS_SCALE=full|ci.
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          globalSetup: ['test/faults/global-setup.ts'],
          // One broker (which a scenario restarts), one moto, one Redis: one file at a time.
          fileParallelism: false,
          testTimeout: 3_600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
