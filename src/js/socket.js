// The receiving side of a WebSocket for src/wasm/socket.rs. `listen` sets the socket's message
// handler: a message too short to complete an envelope is held back here and passed in with the
// next one, so that OpenFlow's length prefix (sent as a WebSocket message of its own) costs no
// call into wasm. `read_message` copies a message's body (after what was held back) into wasm
// memory in one call. Nothing runs at import time.

let held = null; // the ArrayBuffer the handler held back, for the read_message that follows
let active = null; // the handler state of the message being read, for `between`
let pending = null;
let encoder;

/** Sets `ws.onmessage`. `on_message(data)` gets every message that is not held back; a binary
 * message of at most `hold` bytes is held back while the session is between frames (`between`),
 * one at a time. */
export function listen(ws, on_message, hold) {
  const self = { between: false, keep: null };
  ws.onmessage = (e) => {
    const d = e.data;
    if (self.keep === null && self.between && d instanceof ArrayBuffer && d.byteLength <= hold) {
      self.keep = d;
      return;
    }
    held = self.keep;
    self.keep = null;
    active = self;
    on_message(d);
  };
}

/** Whether the session is between frames (then a message of `hold` bytes cannot complete one):
 * told while it reads a message. */
export function between(yes) {
  active.between = yes;
}

/** Copies what was held back and the body of message `d` into `into` (a view of wasm memory)
 * when they fit, else keeps them for `take_message`; returns their length. Text arrives as its
 * UTF-8 bytes. */
export function read_message(d, into) {
  const body = d instanceof ArrayBuffer ? new Uint8Array(d)
    : typeof d === "string" ? (encoder ??= new TextEncoder()).encode(d) : new Uint8Array(0);
  const head = held === null ? body.subarray(0, 0) : new Uint8Array(held), n = head.length + body.length;
  held = null;
  if (n > into.length) pending = [head, body];
  else {
    into.set(head);
    into.set(body, head.length);
  }
  return n;
}

/** Copies what `read_message` kept into `into`, which has its length. */
export function take_message(into) {
  into.set(pending[0]);
  into.set(pending[1], pending[0].length);
  pending = null;
}
