# The page's release build (trunk), sourced after target/wasm-env.sh by scripts/serve.sh and the
# end-to-end tests' site build; other wasm builds (wasm-pack tests, the core for wasm32) keep the
# usual settings.
#
# Rebuilds std for size (`optimize_for_size`) with panics that abort at once (no panic message
# formatting in the download): 57 KB less gzipped wasm (BENCHMARKS.md, issue 11). No source
# locations in the binary (panics abort without a message anyway) and derived `Debug` impls
# that print only the type or variant name: 2.6 KB more. (The page's texts are written out;
# strings and numbers keep their own `Debug`; the one derived `Debug` a learner can meet is a
# table-valued argument in an inequivalence error, listed in the core's crate docs.) These
# are unstable cargo/rustc features, enabled on the stable toolchain with RUSTC_BOOTSTRAP=1 —
# the same route the Debian rustc-web fallback already takes for -Zbuild-std. The page never
# unwinds anyway (profile.release has panic = "abort"); std's sources come from rustup's
# rust-src component (or Debian's rust-web-src), which scripts/setup.sh installs.
export RUSTC_BOOTSTRAP=1
export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=shallow"
