# Berqenas hub image: a static-stdlib release build on the official Swift image, run on slim Debian.
#   docker build -t berqenas .
# The same build (same flags) and a smoke test of its layout run in CI: scripts/check-packaging.py.
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends freetds-dev libqrencode-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product berqenas \
    && mkdir -p /out \
    && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/berqenas" /out/ \
    && cp -R "$(swift build -c release --static-swift-stdlib --show-bin-path)/berqenas_BerqenasServer.resources" /out/

FROM ${RUNTIME_IMAGE}
# FreeTDS and libqrencode at run time, zlib for the panel's gzip, and what the gateway role drives.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libsybdb5 libqrencode4 zlib1g ca-certificates tzdata \
        wireguard-tools wireguard-go nftables iproute2 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/berqenas --create-home berqenas
# The panel's files sit next to the binary, where it looks for them.
COPY --from=build /out/berqenas /usr/local/bin/berqenas
COPY --from=build /out/berqenas_BerqenasServer.resources /usr/local/bin/berqenas_BerqenasServer.resources
ENV BERQENAS_HOST=0.0.0.0 \
    BERQENAS_PORT=8080 \
    BERQENAS_DATA_DIR=/var/lib/berqenas
VOLUME /var/lib/berqenas
EXPOSE 8080
# The api and worker roles need no privilege; the gateway runs as root with NET_ADMIN (compose.yaml).
USER berqenas
WORKDIR /var/lib/berqenas
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["berqenas", "health"]
ENTRYPOINT ["berqenas"]
CMD ["serve"]
