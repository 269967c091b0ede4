// Parity with the official clients: every request method of npm `openiap` 0.0.41 and of the Rust
// client's `Client` (openiap-client 0.0.41) must be declared on `Client` in the package's generated
// .d.ts and exist on the class at run time. The lists are kept here on purpose; what makes no sense
// in a browser is listed with the reason (and in the README, "Porting from npm openiap").
//   node parity.mjs     (run from tests/types, after the package is installed there)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** npm `openiap` 0.0.41 (node/lib.d.ts): request methods, settings and their `*_async` twins. */
const NPM = [
  "connect", "connect_async", "disconnect", "free", "signin", "signin_async",
  "on_client_event", "off_client_event", "get_state", "set_default_timeout", "get_default_timeout",
  "set_agent_name", "set_agent_version",
  "list_collections", "list_collections_async", "create_collection", "create_collection_async",
  "drop_collection", "drop_collection_async", "get_indexes", "get_indexes_async",
  "create_index", "create_index_async", "drop_index", "drop_index_async",
  "custom_command", "custom_command_async", "query", "query_async", "aggregate", "aggregate_async",
  "count", "count_async", "distinct", "distinct_async", "insert_one", "insert_one_async",
  "insert_many", "insert_many_async", "update_one", "update_one_async",
  "insert_or_update_one", "insert_or_update_one_async", "delete_one", "delete_one_async",
  "delete_many", "delete_many_async", "download", "download_async", "upload", "upload_async",
  "push_workitem", "push_workitem_async", "pop_workitem", "pop_workitem_async",
  "update_workitem", "update_workitem_async", "delete_workitem", "delete_workitem_async",
  "watch", "watch_async", "unwatch", "register_queue", "register_queue_async", "register_exchange",
  "unregister_queue", "queue_message", "rpc", "rpc_async", "invoke_openrpa",
];

/** The Rust client's `Client` (openiap-client 0.0.41, crates/client/src/lib.rs): request methods. */
const RUST = [
  "connect", "disconnect", "reconnect", "signin", "get_state", "get_user", "get_default_timeout",
  "set_default_timeout", "set_agent_name", "set_agent_version",
  "list_collections", "create_collection", "drop_collection", "get_indexes", "create_index", "drop_index",
  "query", "get_one", "get_document_version", "aggregate", "count", "distinct",
  "insert_one", "insert_many", "update_one", "insert_or_update_one", "insert_or_update_many",
  "update_document", "delete_one", "delete_many", "download", "upload", "watch", "unwatch",
  "register_queue", "unregister_queue", "register_exchange", "queue_message", "rpc",
  "push_workitem", "push_workitems", "pop_workitem", "update_workitem", "delete_workitem",
  "add_workitem_queue", "update_workitem_queue", "delete_workitem_queue",
  "custom_command", "ensure_customer", "create_workflow_instance", "invoke_openrpa",
  "start_agent", "stop_agent", "delete_agent", "delete_agent_pod", "get_agent_pods", "get_agent_pod_logs",
  "delete_package",
];

/** Official methods left out, with the reason (the README's porting section lists them too). */
const LEFT_OUT = {
  enable_tracing: "Rust tracing of the native library; a browser has its devtools",
  disable_tracing: "as enable_tracing",
  error: "logging helpers that forward to the native library's tracing", info: "as error",
  warn: "as error", debug: "as error", trace: "as error",
  set_f64_observable_gauge: "OpenTelemetry metrics of the native library",
  set_u64_observable_gauge: "as set_f64_observable_gauge", set_i64_observable_gauge: "as set_f64_observable_gauge",
  disable_observable_gauge: "as set_f64_observable_gauge",
  pop_workitem_async_callback: "FFI callback plumbing of the native library, not an API",
  watch_async_async: "FFI plumbing of the native library (watch_async is there)",
  stringify: "a JSON helper: use JSON.stringify", uniqeid: "an id helper: use crypto.randomUUID()",
  formatBytes: "a formatting helper, not a client method",
};

const dts = readFileSync(new URL("./node_modules/openiap-wasm/web/openiap_wasm.d.ts", import.meta.url), "utf8");
// Members of `export class Client {...}` and every `export interface Client {...}`.
const declared = new Set();
for (const m of dts.matchAll(/export (?:declare )?(?:class|interface) Client\b[^{]*\{([\s\S]*?)\n\}/g)) {
  for (const d of m[1].matchAll(/^\s+([a-z_][a-z0-9_]*)\s*(?:<[^>]*>)?\s*[(:]/gim)) declared.add(d[1]);
}
const require = createRequire(new URL("./node_modules/", import.meta.url));
const { Client } = require("openiap-wasm");
const problems = [];
for (const [who, list] of [["npm openiap 0.0.41", NPM], ["Rust openiap-client 0.0.41", RUST]]) {
  for (const name of list) {
    if (name in LEFT_OUT) continue;
    if (!declared.has(name)) problems.push(`${who}: ${name} is not declared on Client in the .d.ts`);
    if (typeof Client.prototype[name] !== "function") problems.push(`${who}: ${name} is not a method of Client at run time`);
  }
}
for (const name of Object.keys(LEFT_OUT)) {
  if (declared.has(name)) problems.push(`${name} is listed as left out but is declared`);
}
// Every `*_async` alias the JS layer adds is declared too (typed code can call what runs).
for (const name of Object.getOwnPropertyNames(Client.prototype)) {
  if (name.endsWith("_async") && !declared.has(name)) problems.push(`${name} exists at run time but is not declared on Client in the .d.ts`);
  if (name.startsWith("_") && name.endsWith("_async")) problems.push(`${name}: an internal method got an _async alias`);
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
const all = new Set([...NPM, ...RUST]);
console.log(`parity: ${all.size} official methods declared and present (${Object.keys(LEFT_OUT).length} left out with reasons)`);
