// Turns a tape (src/protocol/wire/decode.rs) into a JS value in one call from wasm: a queue
// message, a watch event or a reply is built here, so it crosses from wasm to JS once however
// many fields it has. `tape` (Uint32Array) and `bytes` (Uint8Array) are views of wasm memory,
// valid only during the call. Nothing runs at import time.

let decoder;
// Keys are static strings of the tables, given by their address in wasm memory: decoded once.
const keys = new Map();

function utf8(u8, at, n) {
  if (n < 32) {
    // Short ASCII (names, ids) is faster by hand than through TextDecoder.
    let s = "";
    for (let i = at, end = at + n; i < end; i++) {
      const c = u8[i];
      if (c > 0x7f) return (decoder ??= new TextDecoder()).decode(u8.subarray(at, at + n));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return (decoder ??= new TextDecoder()).decode(u8.subarray(at, at + n));
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
let tape, bytes, i, lifted;

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
    case 3: {
      const at = tape[i++], n = tape[i++];
      const data = json(utf8(bytes, at, n));
      // OpenFlow adds the sender's token and user; they move out of `data`, as in npm openiap.
      if (data !== null && typeof data === "object" && !Array.isArray(data) && ("__jwt" in data || "__user" in data)) {
        lifted = data;
      }
      return data;
    }
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
      if (lifted !== null) {
        const data = lifted;
        lifted = null;
        if ("__jwt" in data) { o.jwt = data.__jwt; delete data.__jwt; }
        if ("__user" in data) { o.user = data.__user; delete data.__user; }
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
  lifted = null;
  const v = value();
  tape = bytes = null;
  return v;
}

let result;

/** Builds the message at the start of `tape`, sets its `id` when one is given, and calls
 * `callback` with it: 0 when it returned nothing (undefined), 1 when it returned a value (null too),
 * 2 when it threw; `take_result` gives the value or the exception. */
export function call_with_message(callback, tape, bytes, id) {
  const message = build_value(tape, bytes);
  if (id !== undefined) message.id = id;
  try {
    result = callback(message);
  } catch (e) {
    result = e;
    return 2;
  }
  return result === undefined ? 0 : 1;
}

/** The value (or exception) of the last callback `call_with_message` called. */
export function take_result() {
  const r = result;
  result = undefined;
  return r;
}
