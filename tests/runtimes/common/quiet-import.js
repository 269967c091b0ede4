// Imports a module (`load` = () => import("openiap-wasm"), written in the test so the runtime
// resolves it from there) and throws if that started a timer, a microtask, a socket or a listener:
// the package must do nothing at import time besides instantiating its wasm.
export async function quietImport(load) {
  const started = [];
  const restore = [];
  const spy = (obj, name) => {
    const orig = obj[name];
    if (typeof orig !== "function") return;
    obj[name] = function (...a) { started.push(name); return orig.apply(this, a); };
    restore.push(() => { obj[name] = orig; });
  };
  for (const name of ["setTimeout", "setInterval", "queueMicrotask", "addEventListener", "fetch"]) spy(globalThis, name);
  const OrigWS = globalThis.WebSocket;
  if (OrigWS) {
    globalThis.WebSocket = class extends OrigWS { constructor(...a) { started.push("WebSocket"); super(...a); } };
    restore.push(() => { globalThis.WebSocket = OrigWS; });
  }
  let mod;
  try {
    mod = await load();
  } finally {
    restore.forEach((r) => r());
  }
  // The deno build reads its own .wasm with fetch(file://...) when imported; nothing else may run.
  const other = started.filter((s) => s !== "fetch");
  if (other.length) throw new Error("importing the package started: " + other.join(", "));
  return { mod, fetched: started.includes("fetch") };
}
