#!/usr/bin/env bash
# Routing benchmark, native and wasm32 side by side (needs the wasm32-unknown-unknown target,
# wasm-bindgen-cli 0.2.129 and node; downloads nothing beyond crates).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

echo "## native"
(cd "$root" && cargo bench -q -p amqp-playground-core --bench routing -- --table)

echo
echo "## wasm32 (node $(node --version))"
(cd "$here" && CARGO_TARGET_DIR="$target/wasm-bench" cargo build -q --release --target wasm32-unknown-unknown)
wasm-bindgen --target nodejs --out-dir "$target/wasm-bench/pkg" \
  "$target/wasm-bench/wasm32-unknown-unknown/release/routing_bench_wasm.wasm"
node "$here/run.mjs" "$target/wasm-bench/pkg/routing_bench_wasm.js"
