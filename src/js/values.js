// Builds JS values in one call from wasm each, so that they cross from wasm to JS once however
// many fields they have: a reply from a tape (src/protocol/wire/decode.rs), a queue message or a
// watch event from one JSON text (src/protocol/wire/json.rs), with which the callback is then
// called. The arrays given (Uint32Array, Uint8Array) are views of wasm memory, valid only during
// the call. Nothing runs at import time.

// Strict: tape text was checked in wasm, and a message's JSON text that is not UTF-8 is refused.
let decoder;
// Keys are static strings of the tables, given by their address in wasm memory: decoded once.
const keys = new Map();

function utf8(u8, at, n) {
  return (decoder ??= new TextDecoder("utf-8", { fatal: true })).decode(u8.subarray(at, at + n));
}

function json(text) {
  if (text === "") return "";
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// The value being built: module state rather than closures, which would be allocated for every
// message. Nothing user-defined runs while a value is built, so calls cannot overlap.
let memory = null; // all of wasm memory, where the keys are; renewed when the memory grows
let tape, bytes, i;

function key() {
  const at = tape[i++], n = tape[i++];
  let k = keys.get(at);
  if (k === undefined) keys.set(at, (k = utf8(memory, at, n)));
  return k;
}
function value() {
  switch (tape[i++]) {
    case 1: { const at = tape[i++], n = tape[i++]; return utf8(bytes, at, n); }
    case 2: { const at = tape[i++], n = tape[i++]; return json(utf8(bytes, at, n)); }
    case 4: return tape[i++] | 0;
    case 5: return tape[i++] !== 0;
    case 6: {
      const f = new Float32Array(new Uint32Array([tape[i++]]).buffer)[0];
      return f;
    }
    case 7: { const lo = tape[i++], hi = tape[i++] | 0; return new Date(hi * 4294967296 + lo); }
    case 8: {
      const n = tape[i++], a = new Array(n);
      for (let j = 0; j < n; j++) a[j] = value();
      return a;
    }
    case 9: {
      const n = tape[i++], o = {};
      for (let j = 0; j < n; j++) {
        const k = key();
        o[k] = value();
      }
      return o;
    }
    case 10: {
      const at = tape[i++], n = tape[i++];
      const list = json(utf8(bytes, at, n));
      return Array.isArray(list) && list.length > 0 ? list[0] : null;
    }
    default: return null;
  }
}

/** Builds the value at the start of `words` (a tape), reading its text from `payload`. */
export function build_value(words, payload) {
  if (memory === null || memory.buffer !== words.buffer) memory = new Uint8Array(words.buffer);
  tape = words;
  bytes = payload;
  i = 0;
  const v = value();
  tape = bytes = null;
  return v;
}

let result;

/** Builds the queue message (with `watch`: the watch event) of `text` (a view of wasm memory: the
 * UTF-8 JSON text of src/protocol/wire/json.rs, its last field at `at`) in one JSON.parse, and
 * calls `callback` with it: 0 when it returned nothing (undefined), 1 when it returned a value
 * (null too), 2 when it threw (`take_result` gives the value or the exception); 3 when the text is not
 * UTF-8. A last field that is not one JSON value stays a string. The keys are those of
 * QUEUE_EVENT_OUT and WATCH_EVENT_OUT (src/protocol/wire/tables.rs), in their order. */
export function call_with_json(callback, text, at, watch) {
  const n = watch ? 3 : 6;
  let v;
  try {
    v = utf8(text, 0, text.length);
  } catch {
    return 3;
  }
  try {
    v = JSON.parse(v);
  } catch {
    v = null;
  }
  if (v === null || v.length !== n) {
    v = JSON.parse(utf8(text, 0, at) + "0]");
    v[n - 1] = utf8(text, at, text.length - 1 - at);
  }
  let message;
  if (watch) message = { id: v[0], operation: v[1], document: v[2] };
  else {
    const data = v[5];
    message = { queuename: v[0], correlation_id: v[1], replyto: v[2], routingkey: v[3], exchangename: v[4], data };
    // OpenFlow adds the sender's token and user to `data`; they move to the message, as in npm
    // openiap.
    if (data !== null && typeof data === "object" && !Array.isArray(data)) {
      if ("__jwt" in data) { message.jwt = data.__jwt; delete data.__jwt; }
      if ("__user" in data) { message.user = data.__user; delete data.__user; }
    }
  }
  try {
    result = callback(message);
  } catch (e) {
    result = e;
    return 2;
  }
  return result === undefined ? 0 : 1;
}

/** The value (or exception) of the last callback `call_with_json` called. */
export function take_result() {
  const r = result;
  result = undefined;
  return r;
}
