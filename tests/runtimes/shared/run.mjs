// The shared connection (`new Client({ shared: true })`) in headless Chromium: several pages of
// one origin load the installed package with no bundler (page.js) and share one socket through
// the package's SharedWorker. The test server's control port (/stats) says what the server sees.
//   node shared/run.mjs ws://user:pass@127.0.0.1:PORT http://127.0.0.1:CONTROL
// Prints one line per check; exits 1 on the first failure.
import path from "node:path";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium, serveDir } from "../common/chromium.mjs";
import { check, checkEq, sleep, waitFor } from "../common/checks.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const [url, control] = process.argv.slice(2);
const otherUrl = url.replace(/\/\/[^@]*@/, "//otheruser:otherpass@");
const t0 = Date.now();
const stats = async () => (await fetch(control + "/stats")).json();
const step = (what) => console.log(`ok   ${what} (${Date.now() - t0} ms)`);
/** Sockets the server has open (signed in or not). */
const sockets = async () => (await stats()).connections;
const consumers = async (q) => ((await stats()).queues[q] || { consumers: 0 }).consumers;

// Copies of the package's browser glue whose worker script cannot start the worker, as a bundler
// or server that does not ship it leaves it: missing (404), the server's HTML page (served as
// text/html, as dev servers answer for unknown paths), a script that never answers.
const broken = path.resolve(here, "../.work/shared-broken");
const installed = path.resolve(here, "../node_modules/openiap-wasm/browser");
const workers = { missing: null, html: "<!doctype html>\n<title>app</title>\n", silent: "self.onconnect = () => {};\n" };
rmSync(broken, { recursive: true, force: true });
for (const [variant, script] of Object.entries(workers)) {
  mkdirSync(path.join(broken, variant), { recursive: true });
  for (const f of ["openiap_wasm.js", "shared.js"]) copyFileSync(path.join(installed, f), path.join(broken, variant, f));
  if (script !== null) writeFileSync(path.join(broken, variant, "shared-worker.js"), script);
}
const served = await serveDir(path.resolve(here, "../.."), (file) => (file.includes("/shared-broken/html/") && file.endsWith(".js") && !file.endsWith("openiap_wasm.js") && !file.endsWith("shared.js") ? "text/html" : undefined));
const browser = await launchChromium();
const errors = [];
/** The tab count each page's README example last logged ("shared connection: N tabs"). */
const logged = new Map();
async function page(label, query = "") {
  const p = await context.newPage();
  p.on("console", (m) => {
    if (m.type() === "error") console.log(`[${label} console.error] ${m.text()}`);
    const n = /^shared connection: (\d+) tabs$/.exec(m.text());
    if (n) logged.set(p, Number(n[1]));
  });
  p.on("pageerror", (e) => errors.push(`${label}: ${e.message}`));
  await p.goto(`${served.url}runtimes/shared/index.html${query}`);
  await p.waitForFunction(() => window.__ready === true, null, { timeout: 30000 });
  return p;
}
const context = await browser.newContext();
try {
  checkEq(await sockets(), 0, "sockets before the test");
  const signinsBefore = (await stats()).signins;

  // Three pages of one origin: one socket, one sign-in, three queues.
  const pages = [await page("A"), await page("B"), await page("C")];
  const started = [];
  for (const [i, p] of pages.entries()) started.push(await p.evaluate(([u, tag]) => t.start(u, tag), [url, "ABC"[i]]));
  for (const s of started) checkEq([s.shared, s.state, s.instance], [true, "Signedin", true], "a shared page after connect()");
  checkEq(await sockets(), 1, "sockets for three pages");
  checkEq((await stats()).signins - signinsBefore, 1, "sign-ins for three pages");
  const [A, B, C] = pages;
  await waitFor("every page logs 3 tabs", () => pages.every((p) => logged.get(p) === 3));
  step("three pages share one socket and one sign-in; each logs \"shared connection: 3 tabs\"");

  // Each page's queue gets its messages and no other page does; rpc replies come from the tab.
  for (const [i, s] of started.entries()) {
    await A.evaluate(([q, n]) => t.client.queue_message({ queuename: q, data: { n }, striptoken: true }), [s.queuename, i]);
  }
  for (const [i, p] of pages.entries()) {
    await waitFor(`page ${"ABC"[i]} gets its message`, () => p.evaluate(() => t.got.length >= 1));
  }
  await sleep(200);
  for (const [i, p] of pages.entries()) checkEq(await p.evaluate(() => t.got), [{ n: i }], `messages of page ${"ABC"[i]}`);
  const reply = await C.evaluate((q) => t.client.rpc({ queuename: q, data: { text: "hi" }, timeout_ms: 5000 }), started[1].queuename);
  checkEq(reply, { echo: { text: "hi" }, tag: "B" }, "rpc from C to B's queue, answered by B's callback");
  step("each page's queue gets only its messages; rpc from C is answered in B");

  // The data API, errors and AbortSignal across the port.
  const col = "shared_" + Date.now();
  const doc = await B.evaluate((c) => t.client.insert_one({ collectionname: c, item: { n: 1 } }), col);
  check(typeof doc._id === "string", "insert_one through the worker");
  checkEq(await C.evaluate((c) => t.client.count({ collectionname: c }), col), 1, "count from another page");
  checkEq(await A.evaluate(() => t.rejection(t.client.rpc({ queuename: "nobody.shared", data: 1, timeout_ms: 200 }))),
    { name: "ClientError", kind: "Timeout", isClientError: true }, "a worker-side error in the tab");
  checkEq(await A.evaluate(() => t.rejection(t.client.rpc({ queuename: "nobody.shared", data: 1, signal: AbortSignal.timeout(50) }))),
    { name: "TimeoutError", isClientError: false }, "AbortSignal.timeout() across the port");
  const iterated = await B.evaluate(async () => {
    const q = "shared.iter." + Math.random().toString(36).slice(2);
    await t.client.queue_message({ queuename: q, data: 1, striptoken: true });
    for await (const msg of t.client.queue(q)) return msg.data;
  });
  checkEq(iterated, 1, "for await over a queue of a shared client");
  step("data API, ClientError kinds, AbortSignal and for await work from any page");

  // The same named queue in two pages: one consumer on the server, messages shared out.
  await A.evaluate(() => t.client.register_queue("shared.work", (m) => { t.got.push(m.data); }));
  await C.evaluate(() => t.client.register_queue("shared.work", (m) => { t.got.push(m.data); }));
  checkEq(await consumers("shared.work"), 1, "server consumers of a queue two pages registered");
  for (const n of [10, 11, 12, 13]) await B.evaluate((n) => t.client.queue_message({ queuename: "shared.work", data: n, striptoken: true }), n);
  await waitFor("work shared out", async () => (await A.evaluate(() => t.got.length)) + (await C.evaluate(() => t.got.length)) === 6);
  checkEq([await A.evaluate(() => t.got.length), await C.evaluate(() => t.got.length)], [3, 3], "round robin between two pages");
  step("a queue registered by two pages: one server consumer, messages taken in turn");

  // A page opened after connect is signed in at once.
  const D = await page("D");
  const late = await D.evaluate((u) => t.open({ url: u, shared: true }), url);
  checkEq(late, { shared: true, state: "Signedin" }, "the late page after connect()");
  const lateEvents = await D.evaluate(() => t.events.map((e) => e.event));
  checkEq(lateEvents.slice(0, 2), ["SignedIn", "Tabs"], "the late page's first events");
  checkEq(await sockets(), 1, "sockets after a late page");
  step("a page opened later gets SignedIn at once, on the same socket");

  // A dropped socket: every page sees Disconnected, then SignedIn; queues still deliver.
  const marks = await Promise.all([A, B, C, D].map((p) => p.evaluate(() => t.events.length)));
  await fetch(control + "/drop", { method: "POST" });
  for (const [i, p] of [A, B, C, D].entries()) {
    await waitFor(`page ${"ABCD"[i]} reconnects`, () => p.evaluate((from) => {
      const seen = t.events.slice(from).map((e) => e.event);
      const d = seen.indexOf("Disconnected");
      return d >= 0 && seen.indexOf("SignedIn", d) > d;
    }, marks[i]));
  }
  // Temporary queues come back under new names (QueueRenamed); each page follows its own.
  const qC = await C.evaluate(() => t.current());
  check(qC !== started[2].queuename, "C's temporary queue was renamed");
  await A.evaluate((q) => t.client.queue_message({ queuename: q, data: { text: "after drop" }, striptoken: true }), qC);
  await waitFor("C's queue after the drop", () => C.evaluate(() => t.got.some((d) => d.text === "after drop")));
  checkEq(await sockets(), 1, "sockets after the drop");
  step("after /drop every page sees Disconnected then SignedIn; queues deliver again");

  // Closing a page removes its queues within a few seconds; the others stay.
  const qB = await B.evaluate(() => t.current());
  check((await consumers(qB)) === 1, "B's queue has a consumer");
  await B.close();
  const took = await waitFor("B's queue removed", async () => (await consumers(qB)) === 0, 5000);
  check((await consumers(await A.evaluate(() => t.current()))) === 1, "A's queue stays");
  await waitFor("A logs 3 tabs", () => logged.get(A) === 3);
  step(`closing a page removes its queue in ${took} ms; the others keep theirs`);

  // Other credentials: another worker, another socket, gone with its last page.
  const E = await page("E");
  checkEq(await E.evaluate((u) => t.open({ url: u, shared: true }), otherUrl), { shared: true, state: "Signedin" }, "page E (otheruser)");
  checkEq(await sockets(), 2, "sockets with a second user");
  // A `for await` of a shared page ends when the page disconnects.
  const ended = await E.evaluate(async () => {
    const loop = (async () => { for await (const m of t.client.queue("shared.iter.end")) void m; return "ended"; })();
    await new Promise((r) => setTimeout(r, 300));
    t.client.disconnect();
    return Promise.race([loop, new Promise((r) => setTimeout(() => r("still waiting"), 2000))]);
  });
  checkEq(ended, "ended", "a shared page's for await after disconnect()");
  await waitFor("otheruser's socket closes", async () => (await sockets()) === 1, 5000);
  step("other credentials get their own worker and socket, closed with its last page");

  // No SharedWorker (Chrome for Android): the client falls back to its own connection.
  const F = await page("F", "?no-shared-worker");
  checkEq(await F.evaluate((u) => t.open({ url: u, shared: true }), url), { shared: false, state: "Signedin" }, "fallback page");
  checkEq(await sockets(), 2, "the fallback page has its own socket");
  await F.close();

  // A worker that cannot be started: the page falls back to its own connection by itself, says
  // so once (SharedFallback, no credentials in it), and everything works on that connection.
  for (const [variant, why, within] of [["missing", "its script did not load", 3000],
    ["html", "its script did not load", 3000], ["silent", "it did not answer within 5 s", 8000]]) {
    const X = await page("X-" + variant, `?pkg=/runtimes/.work/shared-broken/${variant}/`);
    const before = await sockets();
    const start = Date.now();
    checkEq(await X.evaluate((u) => t.open({ url: u, shared: true }), url), { shared: false, state: "Signedin" }, `${variant} worker: the page after connect()`);
    const took = Date.now() - start;
    check(took < within, `${variant} worker: connect() took ${took} ms (at most ${within})`);
    const events = await X.evaluate(() => t.events);
    checkEq(events.filter((e) => e.event === "SharedFallback").length, 1, `${variant} worker: SharedFallback events`);
    checkEq(events[0], { event: "SharedFallback", reason: `the shared worker could not be started (${why}); this tab has a connection of its own` }, `${variant} worker: the first event`);
    check(!/testuser|testpass/.test(JSON.stringify(events)), `${variant} worker: no credentials in the events`);
    checkEq(await sockets(), before + 1, `${variant} worker: sockets (one more, the page's own)`);
    const echoed = await X.evaluate(async () => {
      const q = await t.client.register_queue("", (m) => ({ echo: m.data }));
      return t.client.rpc({ queuename: q, data: 7, timeout_ms: 5000 });
    });
    checkEq(echoed, { echo: 7 }, `${variant} worker: rpc to the page's own queue`);
    await X.evaluate(() => t.client.disconnect());
    checkEq(await X.evaluate(() => t.client.get_state()), "Disconnected", `${variant} worker: state after disconnect()`);
    await waitFor(`${variant} worker: its socket closes`, async () => (await sockets()) === before, 5000);
    await X.close();
    step(`worker script ${variant}: own connection after ${took} ms, one SharedFallback event, rpc works`);
  }

  // The web build (fetches its .wasm) shares too, with its own worker script.
  const W = await page("W", "?entry=web");
  checkEq(await W.evaluate((u) => t.open({ url: u, shared: true }), url), { shared: true, state: "Signedin" }, "web build page");
  await W.close();
  step("without SharedWorker: shared === false and an own socket; the web build shares as well");

  // The last page of a worker takes the socket with it.
  for (const p of [A, C, D]) await p.close();
  const closing = await waitFor("no socket left", async () => (await sockets()) === 0, 8000);
  step(`the last page closed: the socket closed ${closing} ms later`);
  checkEq(errors, [], "page errors");
  console.log(`shared: 3 pages on 1 socket, own queues, late page, drop, close, other user, fallbacks (no SharedWorker, worker missing, HTML, silent) ok in ${Date.now() - t0} ms`);
} finally {
  await browser.close();
  await served.close();
}
