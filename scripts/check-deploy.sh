#!/usr/bin/env bash
# Offline checks of the packaging: alert rules, Kubernetes manifests, compose file, Dockerfile,
# shell scripts and YAML style. Part of `npm run lint` (so of `npm test` and CI). The checks of
# meaning (probes, security context, IAM, dashboard, examples) are vitest suites under
# test/deploy and test/unit/contract.
#
# Needs kubectl, promtool, shellcheck and yamllint (scripts/prerequisites.sh provides them) and
# python3; hadolint, check-jsonschema and kubernetes-validate are installed from
# PyPI into .cache/deploy-tools on first use (deploy/tools-requirements.txt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly TOOLS=.cache/deploy-tools
readonly OUT=.cache/deploy-check
# The Kubernetes version the manifests must be valid for (unhealthyPodEvictionPolicy: 1.31+).
readonly KUBERNETES_VERSION=1.31.0

step() { printf '\ncheck-deploy: %s\n' "$*" >&2; }
die() { printf 'check-deploy: %s\n' "$*" >&2; exit 1; }

# scripts/prerequisites.sh (the first step of npm test) installs the missing ones, some into here.
PATH="$PWD/.cache/prerequisites/bin:$PATH"
for tool in kubectl promtool shellcheck yamllint python3; do
  command -v "$tool" >/dev/null || die "$tool is missing: bash scripts/prerequisites.sh all installs it or says how"
done

# Node 24 from node_modules (the scripts are TypeScript), whatever node is on PATH.
node=node_modules/.bin/node
[ -x "$node" ] || die "run npm ci first"

# The venv is rebuilt when the requirements change; the marker is written only after a
# complete install, so an interrupted one is retried.
marker="$TOOLS/.requirements.sha256"
wanted=$(sha256sum deploy/tools-requirements.txt | cut -d' ' -f1)
if [ "$(cat "$marker" 2>/dev/null)" != "$wanted" ]; then
  step "installing $(grep -cv '^#' deploy/tools-requirements.txt) tools into $TOOLS"
  rm -rf "$TOOLS"
  python3 -m venv "$TOOLS"
  "$TOOLS/bin/pip" install --quiet --disable-pip-version-check -r deploy/tools-requirements.txt
  echo "$wanted" > "$marker"
fi

mkdir -p "$OUT"

step "alert rules: one source, valid, and each alert fires when it should"
"$node" scripts/generate-prometheus-rule.ts --check
promtool check config deploy/prometheus/prometheus.yml
(cd deploy/prometheus && promtool test rules alerts.test.yml)

step "Kubernetes: render every kustomization, validate (unknown fields are errors)"
for dir in deploy/kubernetes/base deploy/kubernetes/overlays/*/; do
  name=$(basename "$dir")
  kubectl kustomize "$dir" > "$OUT/$name.yaml"
  # Core kinds only; kubernetes-validate has no CRD schemas and says so in warnings. The
  # KEDA and prometheus-operator objects are validated by test/deploy (kubernetes-models).
  "$TOOLS/bin/kubernetes-validate" --strict --quiet --no-warn -k "$KUBERNETES_VERSION" "$OUT/$name.yaml"
  # The rules as the rendered PrometheusRule carries them: an overlay with the
  # prometheus-operator component (the base holds no CRD kind; test/deploy checks which has what).
  grep -q '^kind: PrometheusRule$' "$OUT/$name.yaml" || continue
  "$node" --input-type=module -e '
    import { readFileSync, writeFileSync } from "node:fs";
    import { parseAllDocuments, stringify } from "yaml";
    const [file, target] = process.argv.slice(1);
    const rule = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).find((o) => o?.kind === "PrometheusRule");
    if (rule === undefined) throw new Error(file + " has no PrometheusRule");
    writeFileSync(target, stringify(rule.spec));
  ' "$OUT/$name.yaml" "$OUT/$name.rules.yml"
  promtool check rules "$OUT/$name.rules.yml"
done

step "docker-compose.yml against the Compose Specification"
"$TOOLS/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml

step "Dockerfile (hadolint)"
"$TOOLS/bin/hadolint" Dockerfile

step "shell scripts (shellcheck)"
shellcheck .ci/run scripts/*.sh scripts/docker/*.sh scripts/docker/kafka/*.sh

step "YAML style (yamllint)"
yamllint --strict -c deploy/yamllint.yml docker-compose.yml deploy schemas/asyncapi.yaml

step "all passed"
