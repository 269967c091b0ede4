#!/usr/bin/env bash
# Keeps `make test-live` tested (the `live` run of tests/runtimes/run.sh): runs the make target
# against a test server whose only user has recognisable credentials, three times:
#   1. the right password: every check passes in Node and Chromium (exit 0, 14 PASS cells);
#   2. a wrong password:   it fails (the script exits 1, so make says "Error 1") and says the
#                          sign-in was refused;
#   3. a refused port:     it fails the same way and says it could not connect;
# and in none of the outputs does the username or the password appear (plain or URL-encoded).
# Needs PKG_TGZ (the packed package) and the setup that make test has done.
# Usage: PKG_TGZ=/path/openiap-wasm-X.tgz bash tests/live/selftest.sh
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${PKG_TGZ:?PKG_TGZ must name the packed package}"
USER_NAME=live-Kp4-checker
PASSWORD='Zq7-LIVE-s3cret@x'                       # '@' goes into the URL as %40
ENCODED='Zq7-LIVE-s3cret%40x'
. "$ROOT/.ci/testserver.sh"
OUT=$(mktemp -d)
trap 'stop_testserver; rm -rf "$OUT"' EXIT
start_testserver --user "$USER_NAME:$PASSWORD" >/dev/null || exit 1
HOSTPORT=${OPENIAP_TEST_URL#ws://}

live() { # name url: runs the make target, keeps its output (stdout + stderr) in $OUT/name
  PKG_TGZ=$PKG_TGZ LIVE_NO_SETUP=1 make -s -C "$ROOT" test-live URL="$2" >"$OUT/$1" 2>&1
  echo $?
}
fail() { echo "FAIL: $*"; for f in "$OUT"/*; do echo "--- $(basename "$f")"; cat "$f"; done; exit 1; }

rc=$(live ok "ws://$USER_NAME:$ENCODED@$HOSTPORT")
[ "$rc" = 0 ] || fail "right password: exit $rc"
[ "$(grep -o PASS "$OUT/ok" | wc -l)" = 14 ] || fail "right password: not 14 PASS cells"
failed() { [ "$2" != 0 ] && grep -q "test-live\] Error 1" "$OUT/$1"; }
rc=$(live wrong "ws://$USER_NAME:wrong-$ENCODED@$HOSTPORT")
failed wrong "$rc" || fail "wrong password: make exit $rc"
grep -q "connect and sign in: FAIL: Signin" "$OUT/wrong" || fail "wrong password: no sign-in failure reported"
rc=$(live refused "ws://$USER_NAME:$ENCODED@127.0.0.1:1")
failed refused "$rc" || fail "refused port: make exit $rc"
grep -q "connect and sign in: FAIL: ConnectFailed" "$OUT/refused" || fail "refused port: no connect failure reported"

for secret in "$USER_NAME" "$PASSWORD" "$ENCODED" "Zq7-LIVE"; do
  if grep -n -F -- "$secret" "$OUT"/*; then fail "the output shows credentials ($secret)"; fi
done
grep -h "passed" "$OUT/ok" | tail -n 1 | sed "s/^/make test-live: /;s/\$/; wrong password and refused port fail; no credentials in any output/"
