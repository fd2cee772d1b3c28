#!/usr/bin/env bash
# Installs what AMQP Playground needs and skips whatever is already there at the right version.
#
#   scripts/setup.sh serve   tools to build and serve the page (Rust's, and terser from npm for the loader)
#   scripts/setup.sh test    the same, plus headless Chromium, its driver, a reachable RabbitMQ, and pika
#                            (PyPI) and amqplib (npm) for the tutorial tests
#
# Sourced by scripts/serve.sh and scripts/test.sh (the two README commands); it can also run on its own.
# Nothing here downloads a prebuilt binary or browser: tools come from crates.io (cargo install --locked) and
# Chromium from Debian's packages. Where it cannot install something (not Debian, not root) it stops and says
# exactly what to install by hand.
#
# The wasm32 target comes from rustup when it can add it. When it cannot, the fallback is Debian's rustc-web +
# cargo-web + rust-web-src (rustc 1.96) with lld-19: wasm builds then run with RUSTC_BOOTSTRAP=1,
# -Zbuild-std=std,panic_abort and the linker wasm-ld-19. Those settings are written to target/wasm-env.sh, which
# the serve and test scripts apply to wasm builds only (`with_wasm_env CMD…`).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODE=${1:-serve}
TRUNK_VERSION=0.21.14
WASM_PACK_VERSION=0.15.1
PIKA_VERSION=1.3.2

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [ "$(id -u)" = 0 ]; }

export PATH="$HOME/.cargo/bin:$PATH"

apt_updated=0
apt_install() {
    # Installs Debian packages when we can; otherwise says exactly what to run.
    if ! have apt-get; then
        die "not a Debian-like system: install these by hand, then run again: $*"
    fi
    local sudo=""
    if ! is_root; then
        if have sudo && sudo -n true 2>/dev/null; then sudo="sudo"; else
            die "need root to install Debian packages: run 'sudo apt-get install -y $*', then run this again"
        fi
    fi
    if [ "$apt_updated" = 0 ]; then
        say "apt-get update"
        $sudo apt-get update -qq >/dev/null
        apt_updated=1
    fi
    say "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# --- Rust -----------------------------------------------------------------------------------------------
have cargo || die "Rust is missing: install it with rustup (https://rustup.rs) or Debian's 'cargo' package, then run this again"

mkdir -p "$ROOT/target"
WASM_ENV="$ROOT/target/wasm-env.sh"
if have rustup && { rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown >&2; }; then
    : > "$WASM_ENV"
    # The page's release build rebuilds std for size (scripts/page-env.sh): std's sources.
    if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
        say "adding rustup's rust-src (std's sources, for the page's size-optimised build)"
        rustup component add rust-src >&2
    fi
else
    say "rustup cannot add wasm32-unknown-unknown: using Debian's rustc-web route"
    for p in rustc-web cargo-web rust-web-src lld-19; do
        dpkg -s "$p" >/dev/null 2>&1 || apt_install rustc-web cargo-web rust-web-src lld-19
    done
    cat > "$WASM_ENV" <<'EOF'
# Written by scripts/setup.sh: wasm builds with Debian's rustc-web (no rustup wasm32 target here).
export PATH="/usr/bin:$PATH"
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19
EOF
fi

# Rebuilding std needs std's own dependencies (compiler_builtins, moto-rt, …) in cargo's cache, and the page
# builds with --offline: fetch them from crates.io now (a second run finds them and downloads nothing).
STD_LOCK="$( (source "$WASM_ENV"; rustc --print sysroot) 2>/dev/null)/lib/rustlib/src/rust/library/Cargo.toml"
if [ -f "$STD_LOCK" ]; then
    RUSTC_BOOTSTRAP=1 cargo fetch --manifest-path "$STD_LOCK" >/dev/null 2>&1 \
        || say "could not fetch std's dependencies ($STD_LOCK); the page's build will say what is missing"
fi

# --- wasm-bindgen-cli, pinned to the wasm-bindgen in Cargo.lock ------------------------------------------
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' "$ROOT/Cargo.lock")
[ -n "$WBG_VERSION" ] || die "cannot read the wasm-bindgen version from Cargo.lock"

cargo_install() { # crate version [binary]
    local crate=$1 version=$2 bin=${3:-$1}
    if have "$bin" && "$bin" --version 2>/dev/null | grep -q " $version\b"; then
        return
    fi
    say "installing $crate $version from crates.io (a few minutes the first time)"
    cargo install --locked --quiet "$crate" --version "$version" >&2
}
cargo_install wasm-bindgen-cli "$WBG_VERSION" wasm-bindgen
cargo_install trunk "$TRUNK_VERSION"

# No wasm-opt: Debian's binaryen cannot read what rustc 1.95 emits, and Trunk would otherwise
# download one, so index.html turns it off (data-wasm-opt="0"); the release profile keeps the
# page small instead (opt-level "s", LTO, stripped names).

# npm tools in scripts/js: terser minifies the page's wasm-bindgen loader in release builds
# (scripts/minify-loader.sh); axe-core checks accessibility in the end-to-end tests.
{ have node && have npm; } || apt_install nodejs npm
JS_DIR="$ROOT/scripts/js"
TERSER_VERSION=$(node -p "require('$JS_DIR/package.json').dependencies.terser")
js_current() { # every dependency installed at the version package.json pins
    node -e "const p = require('$JS_DIR/package.json');
        for (const [n, v] of Object.entries(p.dependencies))
            if (require('$JS_DIR/node_modules/' + n + '/package.json').version !== v) process.exit(1);" 2>/dev/null
}
if ! js_current; then
    say "installing terser $TERSER_VERSION and axe-core (npm ci in scripts/js)"
    (cd "$JS_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

if [ "$MODE" = test ]; then
    cargo_install wasm-pack "$WASM_PACK_VERSION"
    if ! [ -x /usr/bin/chromium ] || ! [ -x /usr/bin/chromedriver ]; then
        apt_install chromium chromium-driver
    fi
    # The fidelity suite compares the core with a real RabbitMQ on 127.0.0.1:5672.
    rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
    if ! rabbit_up; then
        if ! have rabbitmq-server && [ -x /usr/sbin/rabbitmq-server ]; then PATH="$PATH:/usr/sbin"; fi
        have rabbitmq-server || apt_install rabbitmq-server
        say "starting RabbitMQ (rabbitmq-server -detached)"
        rabbitmq-server -detached >&2 || true
        for _ in $(seq 1 60); do rabbit_up && break; sleep 1; done
        rabbit_up || say "RabbitMQ did not come up on 127.0.0.1:5672; the fidelity tests will say so"
    fi

    # The tutorial tests (crates/cli/tests/tutorials.rs) run RabbitMQ's Python tutorials with pika
    # (tests/tutorials/python) and amqplib scenarios with Node (tests/tutorials/node).
    have python3 || apt_install python3
    python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
    if [ "$(python3 -c 'import pika; print(pika.__version__)' 2>/dev/null)" != "$PIKA_VERSION" ]; then
        say "installing pika $PIKA_VERSION from PyPI"
        # Debian's own python3 refuses pip installs (PEP 668): then again with --break-system-packages.
        pip_install() { PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet "$@"; }
        pip_install "pika==$PIKA_VERSION" >/dev/null 2>&1 \
            || pip_install --break-system-packages "pika==$PIKA_VERSION" >&2 \
            || die "cannot install pika $PIKA_VERSION: run 'python3 -m pip install pika==$PIKA_VERSION', then run this again"
    fi
    NODE_DIR="$ROOT/tests/tutorials/node"
    AMQPLIB_VERSION=$(node -p "require('$NODE_DIR/package.json').dependencies.amqplib")
    if [ "$(node -p "require('$NODE_DIR/node_modules/amqplib/package.json').version" 2>/dev/null)" != "$AMQPLIB_VERSION" ]; then
        say "installing amqplib $AMQPLIB_VERSION (npm ci in tests/tutorials/node)"
        (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) >&2
    fi
fi

say "tools ready: $(cargo --version), wasm-bindgen $WBG_VERSION, trunk $TRUNK_VERSION, terser $TERSER_VERSION$([ "$MODE" = test ] && echo ", wasm-pack $WASM_PACK_VERSION, $(/usr/bin/chromium --version 2>/dev/null), pika $PIKA_VERSION, amqplib $AMQPLIB_VERSION")"
