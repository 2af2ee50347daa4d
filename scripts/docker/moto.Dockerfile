# Stand-in for motoserver/moto (scripts/docker/stand-ins.sh builds it): Debian's Python and moto
# from PyPI at the pinned version (scripts/moto-requirements.txt). The CA bundle that pip needs
# here stays in the install stage; the image holds only Python and the virtualenv.
ARG DEBIAN
FROM ${DEBIAN} AS python
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/*

FROM python AS install
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv
COPY ca-certificates.crt moto-requirements.txt /tmp/
ARG MOTO_VERSION
RUN python3 -m venv /opt/moto \
 && MOTO_VERSION="${MOTO_VERSION}" PIP_CERT=/tmp/ca-certificates.crt \
    /opt/moto/bin/pip install -q --no-cache-dir --disable-pip-version-check -r /tmp/moto-requirements.txt \
 && /opt/moto/bin/pip show moto | grep -x "Version: ${MOTO_VERSION}"

FROM python
COPY --from=install /opt/moto /opt/moto
EXPOSE 5000
ENTRYPOINT ["/opt/moto/bin/moto_server", "-H", "0.0.0.0"]
