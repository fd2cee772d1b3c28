#!/usr/bin/env bash
# README command 1: install what is missing, then build and serve the playground on http://127.0.0.1:8080.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh serve
export PATH="$HOME/.cargo/bin:$PATH"
# Debian's rustc-web settings, when setup had to fall back to them (empty otherwise).
# shellcheck disable=SC1091
source target/wasm-env.sh
ADDRESS=${AMQP_PLAYGROUND_ADDRESS:-127.0.0.1}
PORT=${AMQP_PLAYGROUND_PORT:-8080}
printf '\n  AMQP Playground: http://%s:%s/\n\n' "$ADDRESS" "$PORT"
exec trunk serve --release --offline --address "$ADDRESS" --port "$PORT" --open=false
