// The HTTP transport's fetch, for src/wasm/http.rs: one `POST /api/v2` per request envelope
// (OpenFlow's "rest" protocol). `fetch` is looked up on globalThis when a request is made, never at
// import time. Nothing is logged: the bearer token never leaves the request's headers.

/** POSTs `body` (an envelope as JSON, UTF-8 bytes: a view of wasm memory, copied at once) to
 * `url`, with `bearer` (when not empty) as its Authorization. Never rejects: resolves to `[status]` when the body is not an envelope, and
 * to `[status, command, data]` when it is, `data` being the payload's protobuf bytes (Node's
 * Buffer JSON, bare or inside an Any). Status 0: the server was not reached or its answer could
 * not be read (network, TLS, CORS, aborted). */
export function post(url, body, bearer) {
  const ctl = new AbortController();
  body = body.slice();
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
