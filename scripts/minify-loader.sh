#!/usr/bin/env bash
# Trunk post_build hook (Trunk.toml): minifies the main page's wasm-bindgen loader in a release build with terser
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
# The main page's loader only (an ES module, named after its binary and hash). The tools worker's is a
# classic script whose global `wasm_bindgen` its shim calls: minified as a module, that name was mangled
# away and Code / definitions hung. It is fetched on first use, not in the first download.
for js in "$TRUNK_STAGING_DIR"/amqp-playground-web-*.js; do
    "$TERSER" "$js" --module --compress --mangle --output "$js.min"
    mv "$js.min" "$js"
done
