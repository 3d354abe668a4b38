# syntax=docker/dockerfile:1
#
# Airlock controller image.
#
#   docker build -t registry.example.com/airlock:0.1.0 .
#
# Build stage: the official Swift image (Debian 12), matching the toolchain the tests run
# with. Override with --build-arg SWIFT_VERSION=6.1 (any Swift 6.x; Package.swift needs 6.0).
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
WORKDIR /build

# Dependencies first: this layer is reused while only the sources change.
# (Package.resolved is not committed; when present it pins the versions.)
COPY Package.* ./
RUN swift package resolve

# Everything else (see .dockerignore); SwiftPM also wants the test targets' directories.
COPY . .
RUN bin=$(bash hack/release-build.sh airlock | tail -n 1) \
    && install -D -m 0755 "$bin/airlock" /staging/airlock

# Run stage: Swift's standard library and Foundation are linked in; what remains is glibc,
# libstdc++, zlib and the CA certificates. No HEALTHCHECK: Kubernetes probes /healthz and
# /readyz (manifests/deployment.yaml).
FROM debian:bookworm-slim

# Pass --build-arg VERSION=... REVISION=$(git rev-parse HEAD) SOURCE=<repository URL>.
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG SOURCE=
LABEL org.opencontainers.image.title="airlock" \
      org.opencontainers.image.description="Zero standing privilege for AI agents on Kubernetes: approved, time-bound access for one action." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}"

RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get update -q \
    && apt-get install -y -q --no-install-recommends ca-certificates libstdc++6 zlib1g \
    && rm -rf /var/lib/apt/lists/*

# A fixed non-root user, so `runAsNonRoot` can be checked without a name lookup.
RUN groupadd --system --gid 65532 airlock \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin airlock

COPY --from=build /staging/airlock /usr/local/bin/airlock

USER 65532:65532
# 9443: HTTPS admission webhook; 8080: /metrics, /healthz, /readyz.
EXPOSE 9443 8080
ENTRYPOINT ["/usr/local/bin/airlock"]
CMD ["controller"]
