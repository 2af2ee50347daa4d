# Stand-in for jaegertracing/jaeger (scripts/docker/stand-ins.sh builds it): the `jaeger` binary
# of the pinned release, built on the host from its Go module, started as the public image starts
# it: no arguments (the all-in-one configuration, memory storage), listening on every interface,
# user 10001. The module holds no built UI, so 16686 serves Jaeger's placeholder page; the query
# API under it (/api/traces, /api/v3) and the OTLP receivers are the release's own.
ARG DEBIAN
FROM ${DEBIAN}
# For the compose healthcheck (the public image has BusyBox's). apt's package caches are 78 MB.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wget \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
COPY jaeger /cmd/jaeger/jaeger-linux
ENV JAEGER_LISTEN_HOST=0.0.0.0
# OTLP gRPC and HTTP, the UI and query API, the health check.
EXPOSE 4317 4318 16686 13133
USER 10001
ENTRYPOINT ["/cmd/jaeger/jaeger-linux"]
