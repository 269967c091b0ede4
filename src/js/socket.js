// Reads a WebSocket message's body into wasm memory in one call from wasm (src/wasm/socket.rs):
// `.data`, the type check and the copy happen here, not as one crossing each. Nothing runs at
// import time.

let pending = null;
let encoder;

/** Copies the body of message event `e` into `into` (a view of wasm memory) when it fits, else
 * keeps it for `take_message`; returns its length. Text arrives as its UTF-8 bytes. */
export function read_message(e, into) {
  const d = e.data;
  const body = d instanceof ArrayBuffer ? new Uint8Array(d)
    : typeof d === "string" ? (encoder ??= new TextEncoder()).encode(d) : new Uint8Array(0);
  if (body.length > into.length) pending = body;
  else into.set(body);
  return body.length;
}

/** Copies the body `read_message` kept into `into`, which has its length. */
export function take_message(into) {
  into.set(pending);
  pending = null;
}
