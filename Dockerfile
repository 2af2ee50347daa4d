# syntax=docker/dockerfile:1
# user-provisioner: distroless Node 24, production dependencies only, non-root, no shell.
# Build: docker build -t user-provisioner:0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" .
#   (contents, size, the SBOM and the labels: deploy/README.md)
# Where no registry can be reached, scripts/docker/base-images.sh makes stand-ins of both bases
# and prints the two --build-arg values.
ARG BUILD_IMAGE=node:24.21.0-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

# Compile TypeScript to dist/. Install scripts are skipped: tsc needs none, and the `node`
# devDependency's download of a second Node is useless here.
FROM ${BUILD_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
# npm run build also copies the Redis Lua scripts beside the code that reads them.
RUN npm run build

# Production dependencies alone, in a stage of their own so that no build tool reaches them.
FROM ${BUILD_IMAGE} AS dependencies
# npm sbom names the SBOM's root component after this folder.
WORKDIR /user-provisioner
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# The CycloneDX SBOM of exactly the node_modules that ship. Made here, not over the build stage's
# full tree: there `--omit dev` also drops production packages that a devDependency shares
# (npm/cli#7909: ajv, debug, tslib...). Here the devDependencies are absent, so they leave
# package.json first (npm sbom would call them missing); this package.json is not shipped.
RUN npm pkg delete devDependencies \
 && mkdir /sbom \
 && npm sbom --sbom-format cyclonedx --sbom-type application --omit dev > /sbom/user-provisioner.cdx.json

# Run: Node and its libraries, nothing else (no shell, no package manager).
# Distroless publishes no patch-level tags; pin the digest in your release pipeline.
FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
# Where the image comes from: the commit (`git rev-parse HEAD`) and the repository's URL, passed
# by whatever builds it (test/container, scripts/docker/compose-check.sh, the release pipeline).
ARG REVISION=""
ARG SOURCE=""
LABEL org.opencontainers.image.title="user-provisioner" \
      org.opencontainers.image.description="Kafka user.requested.v1 CloudEvents to Amazon Cognito users" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"
WORKDIR /app
ENV NODE_ENV=production
# package.json says "type": "module", which dist/*.js needs; the JSON Schemas are read at start.
COPY --from=dependencies /user-provisioner/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/schemas ./schemas
# What the image holds, for scanners (Trivy, Grype, Dependency-Track read CycloneDX).
COPY --from=dependencies /sbom/user-provisioner.cdx.json /sbom/user-provisioner.cdx.json
# Numeric, so that Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 65532:65532
EXPOSE 9464
# Docker and compose only (Kubernetes uses its probes). No shell: Node itself asks /healthz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# V8's heap sized for the pod's memory limit (README, "Memory"); in the environment, not on the
# command line, so that a pod's own NODE_OPTIONS replaces it.
ENV NODE_OPTIONS="--max-old-space-size=128 --max-semi-space-size=16"
ENTRYPOINT ["/nodejs/bin/node", "--enable-source-maps", "dist/main.js"]
