#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): minifies the wasm-bindgen loaders of a release build with terser
# (npm, installed by scripts/setup.sh into scripts/js). Trunk's own minifier leaves them as they are (they
# are ES modules); terser takes the main page's from 8.8 KB to 6.9 KB gzipped. Without terser the build
# still works, unminified, and says so.
set -euo pipefail
[ "${TRUNK_PROFILE:-}" = release ] || exit 0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TERSER="$ROOT/scripts/js/node_modules/.bin/terser"
if ! [ -x "$TERSER" ] || ! command -v node >/dev/null 2>&1; then
    echo "[minify-loader] terser is not installed (bash scripts/setup.sh serve): the loader stays unminified" >&2
    exit 0
fi
shopt -s nullglob
# The loaders wasm-bindgen wrote: one per Rust binary (the page's, the tools worker's), named after it.
for js in "$TRUNK_STAGING_DIR"/amqp-playground-*.js; do
    case "$js" in *_loader.js) continue ;; esac
    "$TERSER" "$js" --module --compress --mangle --output "$js.min"
    mv "$js.min" "$js"
done
