# Sourced by the project's scripts: npm's wasm-opt (binaryen 132) first, never Debian's 108.
_ci_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$_ci_root/.ci/npm/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export WRANGLER_SEND_METRICS=false
# Release wasm builds (.ci/size.sh, .ci/pkg.sh) name source files without this machine's paths: a
# panic location reads /crates/js-sys-0.3.107/src/lib.rs, not /root/.cargo/registry/src/index...;
# the same bytes on every machine, and 68 B gzip less (2026-12-01). A function: the registry
# folder exists only once cargo has fetched something.
export OPENIAP_ROOT=$_ci_root
release_rustflags() {
  local registry
  registry=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/ 2>/dev/null | head -n 1)
  printf '%s' "${RUSTFLAGS:-} --remap-path-prefix=$OPENIAP_ROOT/=/${registry:+ --remap-path-prefix=$registry=/crates/}"
}
unset _ci_root
