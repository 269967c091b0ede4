// The HTTP transport's fetch, for src/wasm/http.rs: one `POST /api/v2` per request envelope
// (OpenFlow's "rest" protocol). `fetch` is looked up on globalThis when a request is made, never at
// import time. Nothing is logged: the bearer token never leaves the request's headers.

/** POSTs `body` (an envelope as JSON) to `url`, with `bearer` (when not empty) as its
 * Authorization. Never rejects: resolves to `[status]` when the body is not an envelope, and to
 * `[status, command, data]` when it is, `data` being the payload's protobuf bytes (Node's Buffer
 * JSON, bare or inside an Any). Status 0: the server was not reached or its answer could not be
 * read (network, TLS, CORS, aborted). */
export function post(url, body, bearer) {
  const ctl = new AbortController();
  const headers = { "Content-Type": "application/json" };
  if (bearer) headers.Authorization = "Bearer " + bearer;
  const p = Promise.resolve()
    .then(() => globalThis.fetch(url, { method: "POST", headers, body, signal: ctl.signal }))
    .then((r) => r.text().then((text) => read(r.status, text)))
    .catch(() => [0]);
  p.ctl = ctl;
  return p;
}

/** Aborts the fetch of a `post()`. */
export const abort = (p) => p.ctl.abort();

function read(status, text) {
  let e;
  try {
    e = JSON.parse(text);
  } catch {
    return [status];
  }
  if (!e || typeof e.command !== "string") return [status];
  let d = e.data;
  d = (d && d.value) || d;
  return [status, e.command, Uint8Array.from(d && Array.isArray(d.data) ? d.data : [])];
}

/** `client.transport`: `"http"` or `"websocket"` (added to the class by the package glue,
 * .ci/finish-glue.mjs, in builds with the HTTP transport). */
export function extend_http(Client) {
  Object.defineProperty(Client.prototype, "transport", {
    get() {
      return this.__http() ? "http" : "websocket";
    },
  });
}
