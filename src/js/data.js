// The data API's methods on the `Client` class (builds with the data API only; added before
// `client.js`): each is one row of a table in wasm, called through `__call(name, options)`; here
// each gets its npm name, its positional parameters and a trailing options object
// (`{jwt, traceid, spanid, signal, timeout}`); more arguments are refused. Nothing runs at import
// time.

import { extra } from "./client.js";

/** Data methods: name, positional parameters (before the trailing options), option defaults. */
const DATA = [
  ["query"], ["get_one", [], { top: 1 }], ["get_document_version"], ["count"], ["distinct"],
  ["aggregate"], ["insert_one"], ["insert_many"], ["update_one"], ["update_document"],
  ["insert_or_update_one"], ["insert_or_update_many"], ["delete_one"], ["delete_many"],
  ["list_collections", ["includehist"]], ["create_collection"], ["drop_collection", ["collectionname"]],
  ["get_indexes", ["collectionname"]], ["create_index"], ["drop_index", ["collectionname", "name"]],
  ["push_workitem"], ["push_workitems"], ["pop_workitem"], ["update_workitem"],
  ["delete_workitem", ["id"]], ["add_workitem_queue"], ["update_workitem_queue"],
  ["delete_workitem_queue"], ["custom_command"], ["create_workflow_instance"], ["ensure_customer"],
  ["start_agent", ["agentid"]], ["stop_agent", ["agentid"]], ["delete_agent", ["agentid"]],
  ["delete_agent_pod", ["agentid", "podname"]], ["get_agent_pod_logs", ["agentid", "podname"]],
  ["get_agent_pods", ["agentid", "stats"]], ["delete_package", ["packageid"]],
];

/** Options made of positional arguments and a trailing options object. */
function options(params, defaults, args) {
  const trailing = args[params.length];
  // Not Object.assign's copy of a string's characters: a 16 MB string would take minutes.
  if (trailing != null && typeof trailing !== "object") throw 0; // caught by the caller
  const o = Object.assign({}, defaults, trailing);
  params.forEach((p, i) => { if (args[i] !== undefined) o[p] = args[i]; });
  return o;
}

/** The size in bytes of `upload()`'s data (0 when it cannot be read). */
function sizeOf(data) {
  try {
    return typeof data === "string" ? new Blob([data]).size : data.size ?? data.byteLength ?? 0;
  } catch {
    return 0;
  }
}

/** OpenFlow answers an upload with its id and filename only: the rest is what the client knows. */
function measured(result, bytes, t0) {
  if (!result.bytes) {
    const ms = Math.max(Date.now() - t0, 1), mb = bytes / 1048576;
    Object.assign(result, { bytes, chunks: Math.ceil(mb), mb, elapsedTime: ms, mbps: mb * 1000 / ms });
  }
  return result;
}

/** Adds the data methods to `Client` (once). */
export function extend_data(Client, ClientError) {
  const proto = Client.prototype;
  if (typeof proto.__call !== "function" || Object.prototype.hasOwnProperty.call(proto, "query")) return;
  for (const [name, params = [], defaults] of DATA) {
    proto[name] = function (...args) {
      const e = extra(ClientError, name, params.length + 1, args);
      if (e) return Promise.reject(e);
      let o;
      try {
        o = options(params, defaults, args);
      } catch {
        return Promise.reject(new ClientError("options must be an object whose fields can be read"));
      }
      return this.__call(name, o);
    };
  }
  const upload = proto.upload;
  proto.upload = function (o) {
    const t0 = Date.now();
    let data;
    try {
      data = o.data;
    } catch {
      // the wasm reports unreadable options
    }
    return upload.call(this, o).then((r) => measured(r, sizeOf(data), t0));
  };
}
