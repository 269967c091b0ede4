# Sourced: start_testserver builds and starts openiap-testserver on 127.0.0.1 (free ports) and
# exports OPENIAP_TEST_URL / OPENIAP_CONTROL_URL; stop_testserver ends it.
# Browser pages may use the control port only from the origins in TESTSERVER_ORIGINS (space
# separated; default: any page served on 127.0.0.1, as the wasm-bindgen test runner's pages are, on a
# random port). The server's own default is none; TESTSERVER_ORIGINS= (empty) keeps it so.
start_testserver() {
  cargo build --quiet -p openiap-testserver
  TESTSERVER_LOG=$(mktemp -d)/testserver
  local origins=() list o
  read -ra list <<<"${TESTSERVER_ORIGINS-http://127.0.0.1:*}"
  for o in "${list[@]}"; do origins+=(--allow-origin "$o"); done
  "$ROOT/target/debug/openiap-testserver" --listen 127.0.0.1:0 --control 127.0.0.1:0 "${origins[@]}" "$@" \
    >"$TESTSERVER_LOG.out" 2>"$TESTSERVER_LOG.err" &
  TESTSERVER_PID=$!
  for _ in $(seq 1 100); do
    line=$(head -n 1 "$TESTSERVER_LOG.out" 2>/dev/null || true)
    case "$line" in LISTENING*) break ;; esac
    sleep 0.1
  done
  case "$line" in LISTENING*) ;; *) echo "test server did not start:"; cat "$TESTSERVER_LOG.err"; return 1 ;; esac
  OPENIAP_TEST_URL=$(printf '%s' "$line" | sed -n 's/.*ws=\([^ ]*\).*/\1/p')
  OPENIAP_CONTROL_URL=$(printf '%s' "$line" | sed -n 's/.*control=\([^ ]*\).*/\1/p')
  export OPENIAP_TEST_URL OPENIAP_CONTROL_URL TESTSERVER_PID TESTSERVER_LOG
  echo "test server: $OPENIAP_TEST_URL (control $OPENIAP_CONTROL_URL, log $TESTSERVER_LOG.err)"
}
# Idempotent: .ci/test.sh calls it after the browser tests and again from its EXIT trap minutes
# later, when the pid may belong to another process (pid_max is 32768 on the CI machine).
stop_testserver() {
  [ -n "${TESTSERVER_PID:-}" ] && kill "$TESTSERVER_PID" 2>/dev/null
  TESTSERVER_PID=""
}
