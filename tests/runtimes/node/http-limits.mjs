// Node: the HTTP transport against a test server of its own whose tokens live 1.5 s, and whose rate
// limit becomes 5 requests per second per IP for the last part:
//   - a JWT that expires in the middle of a run is renewed before the request that needs it, by
//     signing in again with the password and through get_token: the later calls succeed although
//     the first tokens have expired at the server, with one renewal per request, never a loop;
//   - a JWT that cannot be renewed fails the call typed once it has expired;
//   - HTTP 429 rejects with kind RateLimited.
// Usage: node node/http-limits.mjs PATH/TO/openiap-testserver
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { check, checkEq, sleep } from "../common/checks.js";

const { Client } = await import("openiap-wasm");
const server = spawn(process.argv[2], ["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
  "--token-lifetime-ms", "1500", "--api-rate-limit", "0", "--quiet"], { stdio: ["ignore", "pipe", "inherit"] });
try {
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once("line", resolve);
    server.once("exit", (code) => reject(new Error("the test server exited: " + code)));
  });
  const [, host, control] = line.match(/ws=ws:\/\/(\S+) control=(\S+)/);
  const ctl = async (path) => (await fetch(control + path)).json();
  const signins = async () => (await ctl("/log?command=signin")).length;
  const kind = (p) => p.then(() => "resolved", (e) => e.kind);
  const count = (c) => c.count({ collectionname: "limits" });

  // Three clients at once, each making a call, waiting until the tokens so far have expired at the
  // server (they live 1.5 s: always within the 5 s renewal margin), and making another.
  let asked = 0;
  const clients = {
    password: new Client({ url: `http://testuser:testpass@${host}` }),
    get_token: new Client({ url: `http://${host}`, get_token: async () => (asked++, (await ctl("/jwt?user=testuser")).jwt) }),
    static: new Client({ url: `http://${host}`, jwt: (await ctl("/jwt?user=testuser")).jwt }),
  };
  const results = await Promise.all(Object.values(clients).map(async (c) => {
    await c.connect();
    const first = await kind(count(c));
    await sleep(1_600);
    return [first, await kind(count(c))];
  }));
  checkEq(results, [["resolved", "resolved"], ["resolved", "resolved"], ["resolved", "Server"]],
    "password and get_token renew; a static token, once expired, fails typed");
  checkEq(await signins(), 3, "the password client: one sign-in at connect() and one per request that needed a new token");
  checkEq(asked, 3, "get_token: at connect() and once per request that needed a new token");
  for (const c of Object.values(clients)) c.disconnect();

  // Over the rate limit: 429, kind RateLimited; the others succeed.
  const r = new Client({ url: `http://${host}`, jwt: (await ctl("/jwt?user=testuser&ms=60000")).jwt });
  await r.connect();
  await ctl("/api-rate-limit?n=5");
  const kinds = await Promise.all(Array.from({ length: 8 }, () => kind(count(r))));
  checkEq([kinds.filter((k) => k === "resolved").length, kinds.filter((k) => k === "RateLimited").length], [5, 3], "8 calls at 5 per second: " + kinds);
  const e = await count(r).catch((e) => e);
  check(e.kind === "RateLimited" && e.message.includes("429") && !e.message.includes("RATE_LIMIT"), "the 429's message: " + e.message);
  r.disconnect();
  console.log("node http-limits: a JWT expiring mid-run is renewed (password sign-in, get_token), one renewal per request; an expired static JWT fails typed; 429 is RateLimited");
} finally {
  server.kill();
}
