// Assertions shared by the runtime tests (Node, Deno, Bun, workerd, browsers): no imports, nothing
// at import time.

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Throws "check failed: what" unless `cond`. */
export function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

/** Throws unless `got` and `want` are the same as JSON. */
export function checkEq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: expected ${w}, got ${g}`);
}

/** Waits until `cond()` (sync or async) is true; resolves to how long it took, in ms. */
export async function waitFor(what, cond, ms = 8000) {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await cond()) return Date.now() - start;
    await sleep(10);
  }
  throw new Error("timed out waiting for " + what);
}
