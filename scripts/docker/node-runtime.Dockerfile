# Stand-in for gcr.io/distroless/nodejs24-debian12:nonroot (scripts/docker/base-images.sh builds
# it): Node at /nodejs/bin/node with the libraries it links, CA certificates, user 65532, and
# nothing else: no shell, no package manager.
ARG DEBIAN
FROM ${DEBIAN} AS rootfs
COPY node /out/nodejs/bin/node
COPY ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt
RUN set -e; \
    for lib in $(ldd /out/nodejs/bin/node | awk '/=>/ { print $3 } /ld-linux/ { print $1 }'); do \
      cp --parents -L "$lib" /out; \
    done; \
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > /out/etc/passwd; \
    printf 'root:x:0:\nnonroot:x:65532:\n' > /out/etc/group; \
    mkdir -p /out/tmp /out/home/nonroot && chmod 1777 /out/tmp && chown 65532:65532 /out/home/nonroot

FROM scratch
COPY --from=rootfs /out/ /
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/nodejs/bin/node"]
