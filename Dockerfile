# Frontdesk container image. scripts/container-smoke.sh performs these same steps on a
# machine without a Docker engine (it reads the lines marked "smoke:" from this file), so
# keep them simple: one build command, one copy, the ENV, the CMD.

# ---- build ----------------------------------------------------------------------------
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
# smoke: build
RUN cargo build --release --locked --bin frontdesk

# ---- run ------------------------------------------------------------------------------
FROM debian:bookworm-slim
# ca-certificates: the server calls providers (Twilio, VAPI, Helena...) over https.
# curl: the HEALTHCHECK below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin frontdesk \
 && mkdir -p /data && chown frontdesk:frontdesk /data
# smoke: install
COPY --from=build /src/target/release/frontdesk /usr/local/bin/frontdesk
USER frontdesk
WORKDIR /data
VOLUME ["/data"]
# smoke: env
ENV DATABASE_URL="sqlite:///data/frontdesk.db?mode=rwc" FRONTDESK_BIND="0.0.0.0:8080" FRONTDESK_LOG_FORMAT="json" FRONTDESK_SHUTDOWN_GRACE_SECS="30"
EXPOSE 8080
# Liveness only: a database outage must not get the container killed and restarted.
# smoke: healthcheck
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 CMD ["curl", "-fsS", "http://127.0.0.1:8080/health/live"]
# The server drains on SIGTERM: readiness 503, streams end, jobs released, then exit 0.
STOPSIGNAL SIGTERM
# smoke: cmd
CMD ["frontdesk", "serve"]
