import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { ScaledObject, TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

// Renders the kustomizations under deploy/kubernetes with kubectl and validates each object
// against the published schemas of its kind (kubernetes-models, generated from the Kubernetes,
// KEDA and prometheus-operator OpenAPI schemas).

export const repoRoot = new URL('../../', import.meta.url).pathname;

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [field: string]: unknown;
}

type Model = new (data: never) => { validate(): void };

/** Every kind the manifests may contain; anything else fails the suite. */
const MODELS: Record<string, Model> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

/** The schema errors of one object, or none. */
export function schemaProblems(object: KubeObject): string[] {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (Model === undefined) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    return [`${object.kind}/${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`];
  }
}

/** deploy/kubernetes/base and every overlay, as kustomize directories relative to the repo. */
export function kustomizations(): string[] {
  const overlays = readdirSync(`${repoRoot}deploy/kubernetes/overlays`).map((name) => `deploy/kubernetes/overlays/${name}`);
  return ['deploy/kubernetes/base', ...overlays];
}

/** Runs a command-line tool that .ci/run installs, saying how to get it when it is missing. */
export function runTool(command: string, args: readonly string[], options: { cwd?: string } = {}): string {
  try {
    return execFileSync(command, args, { cwd: options.cwd ?? repoRoot, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${command} is not installed: see .ci/run (apt-get install kubectl prometheus shellcheck yamllint)`, { cause: error });
    }
    throw error;
  }
}

export function render(directory: string): KubeObject[] {
  return parseAllDocuments(runTool('kubectl', ['kustomize', directory])).map((document) => document.toJS() as KubeObject);
}

export function one(objects: readonly KubeObject[], kind: string): KubeObject {
  const found = objects.filter((object) => object.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as KubeObject;
}

/** A path into a plain object, for reading manifests without a type per kind. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
