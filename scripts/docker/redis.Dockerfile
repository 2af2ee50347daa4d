# Stand-in for redis (scripts/docker/stand-ins.sh builds it): Debian's `redis-server` package
# (7.0 in bookworm). Protected mode off, as in the official image: other containers connect.
ARG DEBIAN
FROM ${DEBIAN}
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
