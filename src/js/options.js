// Reads one field of an option object for src/wasm/options.rs in one call from wasm (instead of
// one call each for the type check, the key, the read, the prototype check and null).
// Nothing runs at import time.

/** `o[key]`; undefined when `o` is not an object or the field is null. Throws when the field
 * cannot be read, or holds an object whose prototype cannot be read (a revoked or hostile
 * Proxy): the checks that come next would throw through the wasm. */
export function option(o, key) {
  if (o === null || typeof o !== "object") return undefined;
  const v = o[key];
  if (v !== null && typeof v === "object") Object.getPrototypeOf(v);
  return v ?? undefined;
}
