import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { shippedNodeOptions } from '../support/shipped-node-options.ts';
import { at, kustomizations, one, render, repoRoot, schemaProblems, type KubeObject } from './manifests.ts';

// The rendered manifests (base and every overlay) against the schemas of their kinds and
// against what the service needs: probes on the contract's endpoints, a restricted security
// context, a grace period above SHUTDOWN_TIMEOUT_MS, selectors that select, secrets from Secrets,
// and a KEDA scaler that reads the same Kafka settings as the service, logs in as it does and
// never outgrows the partitions. The base holds core kinds only; the overlays add the KEDA and
// prometheus-operator components.

const BASE = 'deploy/kubernetes/base';
const REQUIRED_KINDS = ['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'Service', 'ServiceAccount'];
/** The API versions every cluster serves: the base uses nothing else. */
const CORE_API_VERSIONS = ['v1', 'apps/v1', 'policy/v1', 'networking.k8s.io/v1'];
/** What deploy/kubernetes/components/keda and .../prometheus-operator add (their CRDs' kinds). */
const COMPONENT_KINDS = ['ScaledObject', 'ServiceMonitor', 'PrometheusRule'];

/** KEDA's kafka scaler's `sasl` for each KAFKA_SASL_MECHANISM of the service. */
const KEDA_SASL: Record<string, string> = { plain: 'plaintext', 'scram-sha-256': 'scram_sha256', 'scram-sha-512': 'scram_sha512', aws: 'oauthbearer' };

interface Trigger { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }
interface SecretTarget { parameter: string; name: string; key: string }

/** A trigger's parameters as KEDA sees them: its metadata and its TriggerAuthentication, with the values of rendered Secrets. */
function kedaParameters(objects: readonly KubeObject[], trigger: Trigger): { parameters: Record<string, string | undefined>; podIdentity?: string } {
  const parameters: Record<string, string | undefined> = { ...trigger.metadata };
  const authentication = objects.find((object) => object.kind === 'TriggerAuthentication' && object.metadata.name === trigger.authenticationRef?.name);
  for (const target of (at(authentication, 'spec', 'secretTargetRef') ?? []) as SecretTarget[]) {
    const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === target.name);
    const encoded = at(secret, 'data', target.key);
    // A Secret made outside the manifests (the Kafka credentials) has a value only in the cluster.
    parameters[target.parameter] = typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString() : `<${target.name}/${target.key}>`;
  }
  const podIdentity = at(authentication, 'spec', 'podIdentity', 'provider');
  return typeof podIdentity === 'string' ? { parameters, podIdentity } : { parameters };
}

type Labels = Record<string, string> | undefined;

function selects(selector: Labels, labels: Labels): boolean {
  if (selector === undefined || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([name, value]) => labels?.[name] === value);
}

/** What is wrong with a rendering, in words; empty when nothing is. */
function manifestProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const kinds = new Set(objects.map((object) => object.kind));
  for (const kind of REQUIRED_KINDS) check(kinds.has(kind), `no ${kind}`);
  if (problems.length > 0) return problems;

  const config = at(one(objects, 'ConfigMap'), 'data') as Record<string, string>;
  const deployment = one(objects, 'Deployment');
  const pod = at(deployment, 'spec', 'template', 'spec');
  const podLabels = at(deployment, 'spec', 'template', 'metadata', 'labels') as Labels;
  const containers = at(pod, 'containers') as unknown[];
  const container = containers[0];

  check(containers.length === 1, 'the pod has one container');
  check(at(deployment, 'spec', 'replicas') === undefined, 'the Deployment leaves replicas to the ScaledObject');
  check(selects(at(deployment, 'spec', 'selector', 'matchLabels') as Labels, podLabels), 'the Deployment selects its pods');

  // Probes on the contract's endpoints, on the port METRICS_PORT names.
  const metricsPort = Number(config['METRICS_PORT'] ?? '9464');
  const ports = at(container, 'ports') as { name: string; containerPort: number }[];
  const portName = ports.find((port) => port.containerPort === metricsPort)?.name;
  check(portName !== undefined, `a container port is METRICS_PORT ${metricsPort}`);
  check(at(container, 'livenessProbe', 'httpGet', 'path') === '/healthz', 'liveness probes /healthz');
  check(at(container, 'readinessProbe', 'httpGet', 'path') === '/readyz', 'readiness probes /readyz');
  for (const probe of ['livenessProbe', 'readinessProbe']) {
    check(at(container, probe, 'httpGet', 'port') === portName, `${probe} uses the metrics port`);
  }

  for (const kind of ['requests', 'limits']) {
    for (const resource of ['cpu', 'memory']) {
      check(at(container, 'resources', kind, resource) !== undefined, `resources.${kind}.${resource} is set`);
    }
  }
  // V8's old space must fill before the pod's limit does: a heap at its cap then fails in the
  // service's own log, not as a silent OOM kill, and a limit raised alone is noticed here.
  const requestMiB = mebibytes(at(container, 'resources', 'requests', 'memory'));
  const limitMiB = mebibytes(at(container, 'resources', 'limits', 'memory'));
  const oldSpaceMiB = oldSpaceCap(containerEnv(container)['NODE_OPTIONS'] ?? shippedNodeOptions());
  check(requestMiB <= limitMiB, `the memory request ${requestMiB} Mi is within the limit ${limitMiB} Mi`);
  check(
    oldSpaceMiB !== undefined && limitMiB >= oldSpaceMiB + OUTSIDE_OLD_SPACE_MIB,
    `the memory limit ${limitMiB} Mi holds the old space's cap (${oldSpaceMiB ?? 'none'} Mi) and ${OUTSIDE_OLD_SPACE_MIB} Mi besides`,
  );

  // The restricted Pod Security Standard, and a read-only root filesystem.
  check(at(pod, 'securityContext', 'runAsNonRoot') === true, 'the pod runs as non-root');
  check(Number(at(pod, 'securityContext', 'runAsUser')) > 0, 'the pod runs as a non-zero uid');
  check(at(pod, 'securityContext', 'seccompProfile', 'type') === 'RuntimeDefault', 'the pod uses the RuntimeDefault seccomp profile');
  check(at(container, 'securityContext', 'allowPrivilegeEscalation') === false, 'no privilege escalation');
  check(at(container, 'securityContext', 'readOnlyRootFilesystem') === true, 'a read-only root filesystem');
  check(at(container, 'securityContext', 'privileged') !== true, 'not privileged');
  const dropped = at(container, 'securityContext', 'capabilities', 'drop') as string[] | undefined;
  check(dropped?.includes('ALL') === true, 'all capabilities dropped');
  check(at(container, 'securityContext', 'capabilities', 'add') === undefined, 'no capability added');

  const shutdownMs = Number(config['SHUTDOWN_TIMEOUT_MS'] ?? '30000');
  const graceSeconds = Number(at(pod, 'terminationGracePeriodSeconds'));
  check(graceSeconds * 1000 > shutdownMs, `terminationGracePeriodSeconds ${graceSeconds} s is above SHUTDOWN_TIMEOUT_MS ${shutdownMs} ms`);

  // Settings from the ConfigMap, Kafka credentials and the Redis URL (which may hold a password) from Secrets.
  const envFrom = at(container, 'envFrom') as { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  check(envFrom.some((source) => source.configMapRef?.name === one(objects, 'ConfigMap').metadata.name), 'the container reads the ConfigMap');
  check(envFrom.some((source) => source.secretRef !== undefined), 'the container reads a Secret for Kafka credentials');
  check(!Object.keys(config).some((name) => name.includes('PASSWORD')), 'no password in the ConfigMap');
  check(config['REDIS_URL'] === undefined, 'REDIS_URL is not in the ConfigMap');
  const env = (at(container, 'env') ?? []) as { name: string; value?: string; valueFrom?: { secretKeyRef?: { optional?: boolean } } }[];
  const redisUrl = env.find((variable) => variable.name === 'REDIS_URL');
  if (redisUrl !== undefined) {
    check(redisUrl.valueFrom?.secretKeyRef !== undefined && redisUrl.valueFrom.secretKeyRef.optional !== true, 'REDIS_URL comes from a required Secret key');
  }

  const serviceAccount = one(objects, 'ServiceAccount');
  check(at(pod, 'serviceAccountName') === serviceAccount.metadata.name, 'the pod uses the ServiceAccount');
  check(/^arn:aws:iam::\d{12}:role\/.+$/.test(serviceAccount.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? ''), 'the ServiceAccount names an IAM role (IRSA)');

  const service = one(objects, 'Service');
  check(selects(at(service, 'spec', 'selector') as Labels, podLabels), 'the Service selects the pods');
  // prometheus-operator's component, where included.
  for (const monitor of objects.filter((object) => object.kind === 'ServiceMonitor')) {
    check(selects(at(monitor, 'spec', 'selector', 'matchLabels') as Labels, service.metadata.labels), 'the ServiceMonitor selects the Service');
    const servicePorts = (at(service, 'spec', 'ports') as { name: string }[]).map((port) => port.name);
    const endpoints = at(monitor, 'spec', 'endpoints') as { port: string; path?: string }[];
    check(endpoints.every((endpoint) => servicePorts.includes(endpoint.port) && endpoint.path === '/metrics'), 'the ServiceMonitor scrapes /metrics on a Service port');
  }

  check(selects(at(one(objects, 'PodDisruptionBudget'), 'spec', 'selector', 'matchLabels') as Labels, podLabels), 'the PodDisruptionBudget selects the pods');
  const policy = one(objects, 'NetworkPolicy');
  check(selects(at(policy, 'spec', 'podSelector', 'matchLabels') as Labels, podLabels), 'the NetworkPolicy selects the pods');
  check(JSON.stringify(at(policy, 'spec', 'policyTypes')) === '["Ingress","Egress"]', 'the NetworkPolicy restricts both directions');

  // KEDA's component, where included: the same Kafka settings and login as the service, never
  // more replicas than partitions.
  if (objects.some((object) => object.kind === 'ScaledObject')) problems.push(...scalerProblems(objects, config, deployment));
  return problems;
}

function scalerProblems(objects: readonly KubeObject[], config: Record<string, string>, deployment: KubeObject): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const scaled = one(objects, 'ScaledObject');
  check(at(scaled, 'spec', 'scaleTargetRef', 'name') === deployment.metadata.name, 'the ScaledObject scales the Deployment');
  const partitions = Number(scaled.metadata.annotations?.['user-provisioner/input-partitions']);
  const maxReplicas = Number(at(scaled, 'spec', 'maxReplicaCount'));
  check(maxReplicas >= 1 && maxReplicas <= partitions, `maxReplicaCount ${maxReplicas} is within the ${partitions} input partitions`);
  check(Number(at(scaled, 'spec', 'minReplicaCount')) >= 1, 'at least one replica, so that the metrics exist');
  const triggers = at(scaled, 'spec', 'triggers') as Trigger[];
  check(triggers.length > 0 && triggers.every((trigger) => trigger.type === 'kafka'), 'the ScaledObject scales on Kafka lag');
  for (const trigger of triggers) {
    check(trigger.metadata['allowIdleConsumers'] === 'false', 'allowIdleConsumers is false');
    for (const [parameter, variable] of [['bootstrapServersFromEnv', 'KAFKA_BROKERS'], ['consumerGroupFromEnv', 'KAFKA_GROUP_ID'], ['topicFromEnv', 'TOPIC_REQUESTED']]) {
      check(trigger.metadata[parameter ?? ''] === variable && config[variable ?? ''] !== undefined, `the trigger reads ${variable} from the ConfigMap`);
    }
    const authentication = trigger.authenticationRef?.name;
    if (authentication !== undefined) {
      check(objects.some((object) => object.kind === 'TriggerAuthentication' && object.metadata.name === authentication), `TriggerAuthentication ${authentication} exists`);
    }
    // KEDA logs in to the brokers the way the service does.
    const { parameters, podIdentity } = kedaParameters(objects, trigger);
    const mechanism = config['KAFKA_SASL_MECHANISM'];
    check((parameters['tls'] === 'enable') === (config['KAFKA_SSL'] === 'true'), `KEDA uses TLS exactly when KAFKA_SSL is true (tls: ${String(parameters['tls'])})`);
    check((parameters['sasl'] ?? 'none') === (mechanism === undefined ? 'none' : KEDA_SASL[mechanism]), `KEDA's sasl ${String(parameters['sasl'])} is KAFKA_SASL_MECHANISM ${String(mechanism)}'s`);
    if (mechanism === 'aws') {
      check(parameters['saslTokenProvider'] === 'aws_msk_iam', 'KEDA signs MSK IAM tokens (saslTokenProvider aws_msk_iam)');
      check(parameters['awsRegion'] === config['AWS_REGION'], `KEDA's awsRegion ${String(parameters['awsRegion'])} is AWS_REGION ${String(config['AWS_REGION'])}`);
      check(podIdentity === 'aws', 'KEDA takes its AWS identity from podIdentity aws');
    } else if (mechanism !== undefined) {
      const credentials = secretSources(deployment).flatMap((source) => (source.secretRef === undefined ? [] : [source.secretRef.name]));
      for (const [parameter, key] of [['username', 'KAFKA_SASL_USERNAME'], ['password', 'KAFKA_SASL_PASSWORD']] as const) {
        check(credentials.some((name) => parameters[parameter] === `<${name}/${key}>`), `KEDA's ${parameter} is the service's ${key}`);
      }
    }
  }
  return problems;
}

function secretSources(deployment: KubeObject): { secretRef?: { name: string } }[] {
  return (at(deployment, 'spec', 'template', 'spec', 'containers', 0, 'envFrom') ?? []) as { secretRef?: { name: string } }[];
}

/**
 * What the service holds outside V8's old space: Node and the loaded code, the young generation,
 * Kafka's fetch buffers. About 100 MB resident at rest (README, "Memory").
 */
const OUTSIDE_OLD_SPACE_MIB = 128;

function mebibytes(quantity: unknown): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(String(quantity));
  if (match?.[1] === undefined) return Number.NaN;
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}

/** --max-old-space-size in MiB, undefined when NODE_OPTIONS sets none (V8 then sizes it from the host). */
function oldSpaceCap(nodeOptions: string): number | undefined {
  const value = /--max-old-space-size=(\d+)/.exec(nodeOptions)?.[1];
  return value === undefined ? undefined : Number(value);
}

function containerEnv(container: unknown): Record<string, string> {
  const env = (at(container, 'env') ?? []) as { name: string; value?: string }[];
  return Object.fromEntries(env.flatMap(({ name, value }) => (value === undefined ? [] : [[name, value]])));
}

const rules = parse(readFileSync(`${repoRoot}deploy/prometheus/alerts.yml`, 'utf8')) as { groups: unknown };

describe.each(kustomizations())('%s', (directory) => {
  const objects = render(directory);

  it('every object is valid against the schema of its kind', () => {
    expect(objects.flatMap(schemaProblems)).toEqual([]);
  });

  it('has everything the service needs, consistently', () => {
    expect(manifestProblems(objects)).toEqual([]);
  });

  if (directory === BASE) {
    it('holds core kinds only, so that a cluster without KEDA or prometheus-operator can apply it', () => {
      expect(objects.filter((object) => !CORE_API_VERSIONS.includes(object.apiVersion)).map((object) => `${object.apiVersion} ${object.kind}`)).toEqual([]);
    });
  } else {
    it('includes the KEDA and prometheus-operator components', () => {
      expect(COMPONENT_KINDS.filter((kind) => !objects.some((object) => object.kind === kind))).toEqual([]);
    });

    it('carries the alert rules of deploy/prometheus/alerts.yml', () => {
      expect(at(one(objects, 'PrometheusRule'), 'spec', 'groups')).toEqual(rules.groups);
    });
  }
});

describe('the checks fail on broken manifests', () => {
  const objects = render(BASE);
  const broken = (mutate: (deployment: Record<string, unknown>) => void) => {
    const copy = structuredClone(objects);
    mutate(one(copy, 'Deployment'));
    return copy;
  };
  const container = (deployment: Record<string, unknown>) => at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Record<string, unknown>;

  it('a wrongly typed field fails the schema', () => {
    const copy = broken((deployment) => {
      (deployment['spec'] as Record<string, unknown>)['replicas'] = 'two';
    });
    expect(copy.flatMap(schemaProblems).join()).toContain('replicas must be integer');
  });

  it('a writable root filesystem, a short grace period and a liveness probe on /readyz are caught', () => {
    const copy = broken((deployment) => {
      (container(deployment)['securityContext'] as Record<string, unknown>)['readOnlyRootFilesystem'] = false;
      (at(deployment, 'spec', 'template', 'spec') as Record<string, unknown>)['terminationGracePeriodSeconds'] = 30;
      (at(container(deployment), 'livenessProbe', 'httpGet') as Record<string, unknown>)['path'] = '/readyz';
    });
    expect(manifestProblems(copy)).toEqual([
      'liveness probes /healthz',
      'a read-only root filesystem',
      'terminationGracePeriodSeconds 30 s is above SHUTDOWN_TIMEOUT_MS 30000 ms',
    ]);
  });

  it('a Redis URL in the ConfigMap or from an optional Secret is caught', () => {
    const copy = structuredClone(render('deploy/kubernetes/overlays/example'));
    (at(one(copy, 'ConfigMap'), 'data') as Record<string, string>)['REDIS_URL'] = 'rediss://:token@redis.example:6379';
    const [redisUrl] = at(one(copy, 'Deployment'), 'spec', 'template', 'spec', 'containers', 0, 'env') as { valueFrom: { secretKeyRef: Record<string, unknown> } }[];
    if (redisUrl !== undefined) redisUrl.valueFrom.secretKeyRef['optional'] = true;
    expect(manifestProblems(copy)).toEqual(['REDIS_URL is not in the ConfigMap', 'REDIS_URL comes from a required Secret key']);
  });

  it('KEDA logging in otherwise than the service is caught, for SCRAM and for MSK IAM', () => {
    const scram = structuredClone(render('deploy/kubernetes/overlays/example'));
    (at(one(scram, 'ConfigMap'), 'data') as Record<string, string>)['KAFKA_SASL_MECHANISM'] = 'scram-sha-256';
    expect(manifestProblems(scram)).toEqual(['KEDA\'s sasl scram_sha512 is KAFKA_SASL_MECHANISM scram-sha-256\'s']);

    const iam = structuredClone(render('deploy/kubernetes/overlays/example-msk-iam'));
    const [trigger] = at(one(iam, 'ScaledObject'), 'spec', 'triggers') as Trigger[];
    if (trigger !== undefined) trigger.metadata['awsRegion'] = 'eu-west-1';
    delete (one(iam, 'TriggerAuthentication')['spec'] as Record<string, unknown>)['podIdentity'];
    (at(one(iam, 'ConfigMap'), 'data') as Record<string, string>)['KAFKA_SSL'] = 'false';
    expect(manifestProblems(iam)).toEqual([
      'KEDA uses TLS exactly when KAFKA_SSL is true (tls: enable)',
      'KEDA\'s awsRegion eu-west-1 is AWS_REGION us-east-1',
      'KEDA takes its AWS identity from podIdentity aws',
    ]);
  });

  it('a memory limit below the heap cap, or a pod NODE_OPTIONS that lifts the cap, is caught', () => {
    const tooSmall = broken((deployment) => {
      (at(container(deployment), 'resources', 'limits') as Record<string, unknown>)['memory'] = '160Mi';
    });
    expect(manifestProblems(tooSmall).join()).toMatch(/the memory request \d+ Mi is within the limit 160 Mi,the memory limit 160 Mi holds/);
    const uncapped = broken((deployment) => {
      container(deployment)['env'] = [{ name: 'NODE_OPTIONS', value: '--max-semi-space-size=4' }];
    });
    expect(manifestProblems(uncapped)).toEqual([expect.stringContaining("holds the old space's cap (none Mi)")]);
  });
});
