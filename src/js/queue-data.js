// The `data` of a queue message as OpenFlow can carry it (docs/design.md, "Queue data"), for the
// wasm (`convert::queue_data`). OpenFlow JSON-parses queue data on the way in and again in the
// consumer, and never delivers a message whose body does not parse or parses to null: so any
// JSON value but null and a string arrives. A string is JSON text, as in npm `openiap`, and must
// be that of an object or array. Nothing runs at import time.

/** The JSON text to send for `v`, or `undefined` when OpenFlow would accept it and lose it (or
 * it is not JSON at all: a function, a cycle, a BigInt). */
export function queue_text(v) {
  try {
    if (typeof v !== "string") {
      const text = JSON.stringify(v);
      return text === undefined || text === "null" || text[0] === '"' ? undefined : text;
    }
    const back = JSON.parse(v);
    return back !== null && typeof back === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}
