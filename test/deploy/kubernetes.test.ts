import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { shippedNodeOptions } from '../support/shipped-node-options.ts';
import { at, kustomizations, one, render, repoRoot, schemaProblems, type KubeObject } from './manifests.ts';

// The rendered manifests (base and every overlay) against the schemas of their kinds and
// against what the service needs: probes on the contract's endpoints, a restricted security
// context, a grace period above SHUTDOWN_TIMEOUT_MS, selectors that select, and a KEDA scaler
// that reads the same Kafka settings as the service and never outgrows the partitions.

const REQUIRED_KINDS = ['ConfigMap', 'Deployment', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'ScaledObject', 'Service', 'ServiceAccount', 'ServiceMonitor'];

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

  // Settings from the ConfigMap, Kafka credentials from a Secret.
  const envFrom = at(container, 'envFrom') as { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  check(envFrom.some((source) => source.configMapRef?.name === one(objects, 'ConfigMap').metadata.name), 'the container reads the ConfigMap');
  check(envFrom.some((source) => source.secretRef !== undefined), 'the container reads a Secret for Kafka credentials');
  check(!Object.keys(config).some((name) => name.includes('PASSWORD')), 'no password in the ConfigMap');

  const serviceAccount = one(objects, 'ServiceAccount');
  check(at(pod, 'serviceAccountName') === serviceAccount.metadata.name, 'the pod uses the ServiceAccount');
  check(/^arn:aws:iam::\d{12}:role\/.+$/.test(serviceAccount.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? ''), 'the ServiceAccount names an IAM role (IRSA)');

  const service = one(objects, 'Service');
  check(selects(at(service, 'spec', 'selector') as Labels, podLabels), 'the Service selects the pods');
  const monitor = one(objects, 'ServiceMonitor');
  check(selects(at(monitor, 'spec', 'selector', 'matchLabels') as Labels, service.metadata.labels), 'the ServiceMonitor selects the Service');
  const servicePorts = (at(service, 'spec', 'ports') as { name: string }[]).map((port) => port.name);
  const endpoints = at(monitor, 'spec', 'endpoints') as { port: string; path?: string }[];
  check(endpoints.every((endpoint) => servicePorts.includes(endpoint.port) && endpoint.path === '/metrics'), 'the ServiceMonitor scrapes /metrics on a Service port');

  check(selects(at(one(objects, 'PodDisruptionBudget'), 'spec', 'selector', 'matchLabels') as Labels, podLabels), 'the PodDisruptionBudget selects the pods');
  const policy = one(objects, 'NetworkPolicy');
  check(selects(at(policy, 'spec', 'podSelector', 'matchLabels') as Labels, podLabels), 'the NetworkPolicy selects the pods');
  check(JSON.stringify(at(policy, 'spec', 'policyTypes')) === '["Ingress","Egress"]', 'the NetworkPolicy restricts both directions');

  // KEDA: the same Kafka settings as the service, never more replicas than partitions.
  const scaled = one(objects, 'ScaledObject');
  check(at(scaled, 'spec', 'scaleTargetRef', 'name') === deployment.metadata.name, 'the ScaledObject scales the Deployment');
  const partitions = Number(scaled.metadata.annotations?.['user-provisioner/input-partitions']);
  const maxReplicas = Number(at(scaled, 'spec', 'maxReplicaCount'));
  check(maxReplicas >= 1 && maxReplicas <= partitions, `maxReplicaCount ${maxReplicas} is within the ${partitions} input partitions`);
  check(Number(at(scaled, 'spec', 'minReplicaCount')) >= 1, 'at least one replica, so that the metrics exist');
  const triggers = at(scaled, 'spec', 'triggers') as { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[];
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
  }
  return problems;
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

  it('carries the alert rules of deploy/prometheus/alerts.yml', () => {
    expect(at(one(objects, 'PrometheusRule'), 'spec', 'groups')).toEqual(rules.groups);
  });
});

describe('the checks fail on broken manifests', () => {
  const objects = render('deploy/kubernetes/base');
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
