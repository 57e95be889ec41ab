# Tafelronde in a container (docs/deploy.md, "In a container"):
#
#   docker build -t tafelronde .
#   docker run -d --name tafelronde -p 5000:5000 -v tafelronde-data:/data tafelronde
#   docker logs tafelronde          # the facilitator key and where phones connect
#
# Builds with the legacy builder as well as BuildKit (no RUN --mount). Build arguments:
#   BASE            the image both stages start from: an official slim Python image by default;
#                   any Debian-like image with python3 and its venv module works (the tests use
#                   a Debian made with debootstrap, tests/test_container.py)
#   EXTRAS          the extras installed with the app (default: scale and gevent; "" for none)
#   EXTRA_CA_CERTS  extra certificate authorities, as PEM text, that pip trusts while building:
#                   for builds behind a TLS-inspecting proxy
#                   (--build-arg EXTRA_CA_CERTS="$(cat /path/to/proxy-ca.pem)")
ARG BASE=python:3.12-slim-bookworm

# --- build: the wheel, and a virtual environment holding it and its dependencies -------------
FROM ${BASE} AS build
ARG EXTRAS=scale,gevent
ARG EXTRA_CA_CERTS=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# Only what the wheel is made of: .dockerignore lets nothing else in (never instance/).
COPY . .
RUN set -eu; \
    if [ -n "$EXTRA_CA_CERTS" ]; then \
        cat /etc/ssl/certs/ca-certificates.crt > /tmp/ca.pem 2>/dev/null || : > /tmp/ca.pem; \
        printf '%s\n' "$EXTRA_CA_CERTS" >> /tmp/ca.pem; \
        export PIP_CERT=/tmp/ca.pem; \
    fi; \
    python3 -m venv /opt/tafelronde; \
    /opt/tafelronde/bin/pip wheel --quiet --no-deps --wheel-dir /tmp/wheel .; \
    set -- /tmp/wheel/tafelronde-*.whl; \
    /opt/tafelronde/bin/pip install --quiet "$1${EXTRAS:+[$EXTRAS]}"; \
    # Installers are not needed to run (23 MB): the image's environment holds the app only.
    /opt/tafelronde/bin/pip uninstall --quiet --yes pip setuptools; \
    cp deploy/healthcheck.py /opt/tafelronde/healthcheck.py; \
    rm -rf /tmp/wheel /tmp/ca.pem

# --- the image: the virtual environment, a user, a data folder -------------------------------
FROM ${BASE}
RUN groupadd --system --gid 10001 tafelronde \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin tafelronde \
    && mkdir /data && chown tafelronde:tafelronde /data
COPY --from=build /opt/tafelronde /opt/tafelronde
# Settings are TAFELRONDE_* variables (docs/configuration.md); these are the container's own.
# Change the port with TAFELRONDE_PORT (the health check reads it), not with --port.
ENV PATH=/opt/tafelronde/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TAFELRONDE_INSTANCE_PATH=/data \
    TAFELRONDE_HOST=0.0.0.0 \
    TAFELRONDE_PORT=5000
# The instance folder: the database, the keys, the decks (seeded with the starter decks).
VOLUME ["/data"]
WORKDIR /data
USER tafelronde
EXPOSE 5000
# `docker stop` sends SIGTERM: the server exits at once (every acknowledged vote is stored
# already); with CLUSTER it first hands its sessions to the other containers.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "/opt/tafelronde/healthcheck.py"]
CMD ["tafelronde"]
