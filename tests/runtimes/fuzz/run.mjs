// Node: tests/js/fuzz.js against the installed package (hostile arguments to every method, then a
// normal client in the same instance), and the plain-text credentials warning as a user sees it.
// Usage: node [--experimental-websocket] fuzz/run.mjs ws://127.0.0.1:PORT [seed]
// (the package from node_modules; FUZZ_PKG=/path/to/index.mjs imports another build)
import { fuzz } from "../../js/fuzz.js";

const url = process.argv[2];
const seed = process.argv[3] ? Number(process.argv[3]) : undefined;
const mod = await import(process.env.FUZZ_PKG || "openiap-wasm");
const { Client, ClientError } = mod;
const t0 = Date.now();
const summary = await fuzz({ Client, ClientError, url, seed, log: (s) => console.log(s) });

// Credentials over ws:// to a host that is not loopback by name (0.0.0.0 reaches this machine's
// test server on Linux): one Error event naming the risk, never the credentials; none with
// allow_insecure: true.
async function errorsOf(options) {
  const c = new Client({ url: url.replace("127.0.0.1", "0.0.0.0"), username: "testuser", password: "testpass", ...options });
  const errors = [];
  c.on_client_event((e) => { if (e.event === "Error") errors.push(e.reason); });
  await c.connect();
  c.disconnect();
  c.free();
  return errors;
}
const warned = await errorsOf({});
if (warned.length !== 1 || !warned[0].includes("unencrypted") || /testpass|testuser/.test(warned[0])) {
  throw new Error("insecure warning: " + JSON.stringify(warned));
}
const silenced = await errorsOf({ allow_insecure: true });
if (silenced.length) throw new Error("allow_insecure: true still warns: " + JSON.stringify(silenced));
console.log(`${summary}; insecure ws:// warning once without credentials, silenced by allow_insecure (${Date.now() - t0} ms)`);
