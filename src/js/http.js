// The HTTP transport's fetch, for src/wasm/http.rs: one `POST /api/v2` per request envelope
// (OpenFlow's "rest" protocol). `fetch` is looked up on globalThis when a request is made, never at
// import time. Nothing is logged: the bearer token never leaves the request's headers.

/** POSTs an envelope to `url` as OpenFlow's JSON: `command`, `id`, `traceid`, `spanid`, and `data`
 * (the payload's protobuf bytes, a view of wasm memory read at once) as Node's Buffer JSON; no `rid`
 * (with one, OpenFlow answers an error with `{}`) and no `jwt`: `bearer` (when not empty) goes in
 * the Authorization header. Never rejects: resolves to `[status]` when the body is not an
 * envelope, and to `[status, command, data]` when it is, `data` being the payload's protobuf bytes (Node's
 * Buffer JSON, bare or inside an Any). Status 0: the server was not reached or its answer could
 * not be read (network, TLS, CORS, aborted). */
export function post(url, command, id, traceid, spanid, data, bearer) {
  const ctl = new AbortController();
  const body = JSON.stringify({ command, id, traceid, spanid, data: { type: "Buffer", data: Array.from(data) } });
  const headers = { "Content-Type": "application/json" };
  if (bearer) headers.Authorization = "Bearer " + bearer;
  const p = (async () => {
    let r, e;
    try {
      r = await globalThis.fetch(url, { method: "POST", headers, body, signal: ctl.signal });
      e = await r.text();
    } catch {
      return [0];
    }
    try {
      e = JSON.parse(e);
    } catch {}
    if (typeof e?.command != "string") return [r.status];
    const d = e.data?.value || e.data;
    return [r.status, e.command, Uint8Array.from(Array.isArray(d?.data) ? d.data : [])];
  })();
  p.ctl = ctl;
  return p;
}

/** Aborts the fetch of a `post()`. */
export const abort = (p) => p.ctl.abort();

/** `client.transport`: `"http"` or `"websocket"` (added to the class by the package glue,
 * .ci/finish-glue.mjs, in builds with the HTTP transport). */
export function extend_http(Client) {
  Object.defineProperty(Client.prototype, "transport", {
    get() {
      return this.__http() ? "http" : "websocket";
    },
  });
}
