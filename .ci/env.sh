# Sourced by the project's scripts: npm's wasm-opt (binaryen 132) first, never Debian's 108.
_ci_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$_ci_root/.ci/npm/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
export WRANGLER_SEND_METRICS=false
unset _ci_root
