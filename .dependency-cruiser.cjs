/** Keeps the layers apart: the provisioning core and the event codec import no adapter or SDK. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'src/provisioning holds the use case: it knows ports, not Kafka, Cognito, Prometheus, HTTP or any other layer.',
      severity: 'error',
      from: { path: '^src/provisioning/' },
      to: { pathNot: ['^src/provisioning/', '^node:', '^(util|crypto)$'] },
    },
    {
      name: 'events-know-only-the-core',
      comment: 'The CloudEvents codec maps messages to requests and outcomes; it does not reach adapters or the pipeline.',
      severity: 'error',
      from: { path: '^src/events/' },
      to: { path: ['^src/(adapters|pipeline|resilience|tracing)/', '^src/main\\.ts$', 'kafkajs', '@aws-sdk', 'prom-client', 'pino', '@opentelemetry'] },
    },
    {
      name: 'pipeline-uses-ports',
      comment: 'The pipeline drives the core through ports; adapters are wired in main.ts only.',
      severity: 'error',
      from: { path: '^src/(pipeline|resilience)/' },
      to: { path: ['^src/adapters/', '^src/main\\.ts$', 'kafkajs', '@aws-sdk', 'prom-client'] },
    },
    {
      name: 'replay-uses-ports',
      comment: 'The replay use case reads and writes Kafka through its ports; src/replay/main.ts wires the adapters.',
      severity: 'error',
      from: { path: '^src/replay/', pathNot: '^src/replay/main\\.ts$' },
      to: { path: ['^src/(adapters|pipeline|resilience|provisioning)/', '^src/main\\.ts$', '^src/replay/main\\.ts$', 'kafkajs', '@aws-sdk', 'prom-client', 'pino'] },
    },
    {
      name: 'only-main-wires-adapters',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main\\.ts$', '^src/replay/main\\.ts$', '^src/adapters/'] },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'kafkajs-in-the-kafka-adapter',
      comment: 'kafkajs is unmaintained upstream: swapping the client must stay a change under src/adapters/kafka/.',
      severity: 'error',
      from: { pathNot: '^src/adapters/kafka/' },
      to: { path: 'node_modules/kafkajs' },
    },
    {
      name: 'aws-sdk-in-the-cognito-adapter',
      comment: 'The AWS SDK stays in the Cognito adapter; the MSK IAM token signer where the Kafka client is built.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/(cognito-directory|kafka/client)\\.ts$' },
      to: { path: ['node_modules/@aws-sdk', 'node_modules/@smithy', 'node_modules/aws-msk-iam-sasl-signer-js'] },
    },
    {
      name: 'otel-sdk-in-the-tracing-adapter',
      comment: 'The rest of the service speaks the OpenTelemetry API alone, a no-op until the SDK is registered (src/adapters/tracing.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/tracing\\.ts$' },
      to: { path: 'node_modules/@opentelemetry/', pathNot: 'node_modules/@opentelemetry/api/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
