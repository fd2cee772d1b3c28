#!/usr/bin/env bash
# README command 1: install what is missing, then build and serve the playground on http://127.0.0.1:8080.
#
#   bash scripts/serve.sh                       the playground alone (trunk serve)
#   bash scripts/serve.sh --bridge [OPTIONS]    the playground behind `amqp-playground bridge`: real AMQP
#                                               clients (pika, amqplib) run on the broker in the page;
#                                               OPTIONS go to `bridge` (--amqp, --http, --upstream, …)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh serve
export PATH="$HOME/.cargo/bin:$PATH"
# Debian's rustc-web settings, when setup had to fall back to them (empty otherwise).
# shellcheck disable=SC1091
source target/wasm-env.sh
# The page's release build: std rebuilt for size (see the file).
# shellcheck disable=SC1091
source scripts/page-env.sh
if [ "${1:-}" = "--bridge" ]; then
    shift
    # The bridge's page has the AMQP wire session and Verify (the default feature `bridge`).
    trunk build --release --offline
    cargo build --release --locked -p amqp-playground-cli
    # The bridge prints the page address (with its per-run token) first.
    exec target/release/amqp-playground bridge --dist dist "$@"
fi
ADDRESS=${AMQP_PLAYGROUND_ADDRESS:-127.0.0.1}
PORT=${AMQP_PLAYGROUND_PORT:-8080}
printf '\n  AMQP Playground: http://%s:%s/\n\n' "$ADDRESS" "$PORT"
# The plain page leaves the bridge's wire session and Verify out (a third of the download).
exec trunk serve --release --offline --no-default-features --address "$ADDRESS" --port "$PORT" --open=false
