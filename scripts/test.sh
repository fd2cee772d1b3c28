#!/usr/bin/env bash
# README command 2: install what is missing, then run the whole test suite:
# format, lints, the core's wasm32 build and dependency promise, docs, native tests (core, scripts, CLI,
# fidelity against the real RabbitMQ, end-to-end in headless Chromium) and the component tests in headless
# Chromium (wasm-pack). Each stage prints its name; the runners' own result lines close the output.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh test
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

stage() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }
with_wasm_env() { ( source target/wasm-env.sh; "$@" ); }

stage "cargo fmt --check"
cargo fmt --all -- --check

stage "clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The plain page (scripts/serve.sh builds it without default features) leaves the bridge out:
# it must lint, and its engine pass its own tests, without it.
cargo clippy -p amqp-playground-web --lib --no-default-features --locked -- -D warnings
cargo test -p amqp-playground-web --lib --no-default-features --locked

stage "the broker core, the wire session and the relay protocol build for wasm32 and have no I/O dependencies"
with_wasm_env cargo build --locked -p amqp-playground-core -p amqp-playground-script -p amqp-playground-wire -p amqp-playground-relay --target wasm32-unknown-unknown
for crate in amqp-playground-core amqp-playground-wire amqp-playground-relay; do
    forbidden=$(cargo tree --locked -p "$crate" -e normal --prefix none --target wasm32-unknown-unknown | grep -E '^(tokio|mio|async-rs|web-sys|js-sys|wasm-bindgen) ' || true)
    if [ -n "$forbidden" ]; then
        echo "$crate must not depend on: $forbidden" >&2
        exit 1
    fi
    echo "ok: $crate depends on no tokio, mio, async-rs or web-sys"
done

stage "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p amqp-playground-core -p amqp-playground-script -p amqp-playground-wire -p amqp-playground-relay -p amqp-playground-server -p amqp-playground-bridge --quiet

stage "component tests in headless Chromium (wasm-pack)"
with_wasm_env wasm-pack test --headless --chrome

stage "native tests: core, wire, server, bridge, scripts, CLI (tutorials with pika and amqplib), fidelity against RabbitMQ and over the wire, end-to-end in headless Chromium"
cargo test --workspace --locked

stage "the core's serde feature: commands, replies and events round-trip through JSON"
cargo test --locked -p amqp-playground-core --features serde --test serde
