// Faults of the shared connection (`new Client({ shared: true })`) in headless Chromium, with the
// pages of page.js and the test server's control port (/stats, /delay-reply):
//   1. the tab that hosts the SharedWorker crashes: the other tabs learn it within 2 s, their
//      pending calls fail, they start a new worker, register again and end up on one socket;
//   2. a worker that is alive but never answers: each call still ends at its timeout, in the tab;
//   3. register_queue raced by unregister_queue while the server's reply is late.
//   node shared/faults.mjs ws://user:pass@127.0.0.1:PORT http://127.0.0.1:CONTROL
// Prints one line per check; exits 1 on the first failure.
import path from "node:path";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { launchChromium, serveDir } from "../common/chromium.mjs";
import { check, checkEq, sleep, waitFor } from "../common/checks.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const [url, control] = process.argv.slice(2);
const t0 = Date.now();
const stats = async () => (await fetch(control + "/stats")).json();
const step = (what) => console.log(`ok   ${what} (${Date.now() - t0} ms)`);
const sockets = async () => (await stats()).connections;
const queueStats = async (q) => (await stats()).queues[q] || { consumers: 0, pending: 0 };
const consumers = async (q) => (await queueStats(q)).consumers;
const delayReply = (command, ms) => fetch(`${control}/delay-reply?command=${command}&ms=${ms}`, { method: "POST" });

// A copy of the package's worker that is alive but never ends a call by itself: its timers do
// nothing (set before the worker's modules run), so the wasm client's request timeouts never fire.
const muted = path.resolve(here, "../.work/shared-muted");
const installed = path.resolve(here, "../node_modules/openiap-wasm/browser");
rmSync(muted, { recursive: true, force: true });
mkdirSync(muted, { recursive: true });
for (const f of ["openiap_wasm.js", "shared.js", "live-engine.js"]) copyFileSync(path.join(installed, f), path.join(muted, f));
copyFileSync(path.join(installed, "shared-worker.js"), path.join(muted, "worker.js"));
writeFileSync(path.join(muted, "no-timers.js"), "globalThis.setTimeout = () => 0;\n");
writeFileSync(path.join(muted, "shared-worker.js"), 'import "./no-timers.js";\nimport "./worker.js";\n');

const served = await serveDir(path.resolve(here, "../.."));
const browser = await launchChromium();
const context = await browser.newContext();
const errors = [];
async function page(label, query = "") {
  const p = await context.newPage();
  p.on("console", (m) => {
    if (m.type() === "error") console.log(`[${label} console.error] ${m.text()}`);
  });
  p.on("pageerror", (e) => errors.push(`${label}: ${e.message}`));
  await p.goto(`${served.url}runtimes/shared/index.html${query}`);
  await p.waitForFunction(() => window.__ready === true, null, { timeout: 30000 });
  return p;
}
/** The events of page `p` from index `from` on: [{event, reason, at}]. */
const eventsOf = (p, from = 0) => p.evaluate((f) => t.events.slice(f).map((e, i) => ({ ...e, at: t.times[f + i] })), from);
const closeAll = async (pages) => {
  for (const p of pages) await p.close();
  await waitFor("no socket left", async () => (await sockets()) === 0, 8000);
};

try {
  checkEq(await sockets(), 0, "sockets before the test");

  // ---- 1. The tab that hosts the worker crashes ---------------------------------------------
  // In Chromium the SharedWorker runs in the renderer process of the tab that started it. CDP's
  // Page.crash ends that process, as chrome://crash or an out-of-memory "Aw, Snap!" does, and the
  // worker with it; closing that page would not (the worker keeps running for the other tabs).
  // N has no Web Locks (as outside secure contexts): it learns by pinging its worker.
  const [K, L, N] = [await page("K"), await page("L"), await page("N", "?no-locks")];
  const crew = [L, N];
  for (const [i, p] of [K, L, N].entries()) await p.evaluate(([u, tag]) => t.start(u, tag), [url, "KLN"[i]]);
  checkEq(await sockets(), 1, "sockets for three pages");
  for (const p of crew) await p.evaluate(() => t.client.register_queue("shared.crash.work", (m) => { t.got.push(m.data); }));
  const col = "shared_crash_" + Date.now();
  const watchId = await L.evaluate((c) => {
    t.watched = [];
    return t.client.watch({ collectionname: c, paths: [] }, (ev) => t.watched.push(ev));
  }, col);
  await N.evaluate(() => t.client.register_exchange({ exchangename: "shared.crash.news", algorithm: "fanout" }, (m) => { t.got.push(m.data); }));
  const marks = await Promise.all(crew.map((p) => p.evaluate(() => t.events.length)));
  // An rpc to a queue nobody answers, pending when the worker ends.
  await L.evaluate(() => { t.pending = t.settled(t.client.rpc({ queuename: "nobody.crash", data: 1, timeout: 3 })); });
  const crashedAt = Date.now();
  (await context.newCDPSession(K)).send("Page.crash").catch(() => {}); // its session ends with the page
  for (const [i, p] of crew.entries()) {
    await waitFor(`page ${"LN"[i]}: Disconnected, then SignedIn`, async () => {
      const seen = (await eventsOf(p, marks[i])).map((e) => e.event);
      return seen.includes("Disconnected") && seen.indexOf("SignedIn", seen.indexOf("Disconnected")) > 0;
    }, 10000);
  }
  for (const [i, p] of crew.entries()) {
    const events = await eventsOf(p, marks[i]);
    const gone = events.find((e) => e.event === "Disconnected");
    check(/^the shared worker ended \(/.test(gone.reason), `page ${"LN"[i]}: the Disconnected reason says the worker ended: ${gone.reason}`);
    const after = gone.at - crashedAt;
    check(after < 2000, `page ${"LN"[i]} learned that the worker ended ${after} ms after the crash (at most 2000)`);
    checkEq(events.filter((e) => e.event === "SignedIn").length, 1, `page ${"LN"[i]}: SignedIn events after the crash`);
    checkEq(await p.evaluate(() => t.client.get_state()), "Signedin", `page ${"LN"[i]}: state after the recovery`);
    console.log(`     page ${"LN"[i]}: Disconnected after ${after} ms (${gone.reason}), SignedIn after ${events.find((e) => e.event === "SignedIn").at - crashedAt} ms`);
  }
  const rpc = await L.evaluate(() => t.pending);
  checkEq([rpc.kind, rpc.isClientError], ["Disconnected", true], "the rpc pending at the crash");
  check(rpc.ms < 3000, `the pending rpc settled after ${rpc.ms} ms (its timeout: 3000)`);
  await waitFor("one socket for the two pages left", async () => (await sockets()) === 1, 5000);
  await sleep(300);
  checkEq(await sockets(), 1, "sockets after the recovery");
  step(`the worker's tab crashed: L and N saw Disconnected then SignedIn; the pending rpc failed after ${rpc.ms} ms; one socket`);

  // Their queues, exchange and watch deliver again, with the same callbacks.
  for (const [i, p] of crew.entries()) {
    const q = await p.evaluate(() => t.current());
    check(q !== (await p.evaluate(() => t.queuename)), `page ${"LN"[i]}: its temporary queue has a new name (QueueRenamed)`);
    await L.evaluate(([q, n]) => t.client.queue_message({ queuename: q, data: { n }, striptoken: true }), [q, i]);
    await waitFor(`page ${"LN"[i]} gets a message on its temporary queue`, () => p.evaluate((n) => t.got.some((d) => d && d.n === n), i));
  }
  checkEq(await consumers("shared.crash.work"), 1, "server consumers of the named queue both pages registered");
  for (const n of [1, 2]) await L.evaluate((n) => t.client.queue_message({ queuename: "shared.crash.work", data: n, striptoken: true }), n);
  const work = () => Promise.all(crew.map((p) => p.evaluate(() => t.got.filter((d) => d === 1 || d === 2))));
  await waitFor("the named queue's messages", async () => (await work()).flat().length === 2);
  checkEq((await work()).map((g) => g.length), [1, 1], "the named queue's messages, one to each page");
  await L.evaluate(() => t.client.queue_message({ exchangename: "shared.crash.news", data: ["news"], striptoken: true }));
  await waitFor("N's exchange delivers", () => N.evaluate(() => t.got.some((d) => d[0] === "news")));
  await N.evaluate((c) => t.client.insert_one({ collectionname: c, item: { n: 1 } }), col);
  await waitFor("L's watch delivers", () => L.evaluate(() => t.watched.length >= 1));
  checkEq(await L.evaluate(() => t.watched[0].id), watchId, "the watch event carries the id watch() gave first");
  checkEq(await L.evaluate((id) => t.client.unwatch(id), watchId), undefined, "unwatch with the first id");
  checkEq(errors, [], "page errors");
  step("after the recovery: temporary queues (renamed), a shared named queue, an exchange and a watch deliver");
  await closeAll([K, L, N]);

  // ---- 2. A worker that never answers: the call ends at its timeout in the tab ---------------
  const pkg = "?pkg=/runtimes/.work/shared-muted/";
  const [X, Y] = [await page("X", pkg), await page("Y", pkg)];
  checkEq(await X.evaluate((u) => t.open({ url: u, shared: true }), url), { shared: true, state: "Signedin" }, "a page on the muted worker");
  checkEq(await Y.evaluate((u) => t.open({ url: u, shared: true, timeout_ms: 600 }), url), { shared: true, state: "Signedin" }, "a second page, timeout_ms: 600");
  const timeouts = await X.evaluate(async () => {
    const rpc = (o) => t.settled(t.client.rpc({ queuename: "nobody.muted", data: 1, ...o }), 3000);
    const [ms, seconds] = await Promise.all([rpc({ timeout_ms: 700 }), rpc({ timeout: 1 })]);
    t.client.set_default_timeout(0.5);
    return { ms, seconds, byDefault: await rpc({}) };
  });
  const byOption = await Y.evaluate(() => t.settled(t.client.rpc({ queuename: "nobody.muted", data: 1 }), 3000));
  for (const [what, got, want] of [["timeout_ms: 700", timeouts.ms, 700], ["timeout: 1", timeouts.seconds, 1000],
    ["set_default_timeout(0.5)", timeouts.byDefault, 500], ["new Client({timeout_ms: 600})", byOption, 600]]) {
    checkEq([got.kind, got.isClientError], ["Timeout", true], `${what}: how the call ended (${JSON.stringify(got)})`);
    check(got.ms >= want - 5 && got.ms < want + 400, `${what}: ended after ${got.ms} ms`);
  }
  step(`a worker that never answers: calls end at their timeout in the tab (${timeouts.ms.ms}, ${timeouts.seconds.ms}, ${timeouts.byDefault.ms}, ${byOption.ms} ms)`);
  await closeAll([X, Y]);

  // ---- 3. register_queue raced by unregister_queue (the server's reply is late) -------------
  const [R, S] = [await page("R"), await page("S")];
  for (const p of [R, S]) checkEq(await p.evaluate((u) => t.open({ url: u, shared: true }), url), { shared: true, state: "Signedin" }, "a race page");
  const late = 600;
  // Register, then unregister before the reply: the register promise rejects at once with
  // Cancelled; the late registration is undone; a message sent afterwards stays in the queue.
  await delayReply("registerqueue", late);
  const raced = await R.evaluate(async () => {
    const reg = t.settled(t.client.register_queue("shared.race.one", (m) => { t.got.push(["one", m.data]); }));
    const unreg = t.settled(t.client.unregister_queue("shared.race.one"));
    return { reg: await reg, unreg: await unreg };
  });
  checkEq([raced.reg.kind, raced.reg.isClientError], ["Cancelled", true], "register_queue then unregister_queue: the register promise");
  check(raced.reg.ms < 100, `the register promise rejected after ${raced.reg.ms} ms`);
  checkEq(raced.unreg.outcome, "resolved", "the unregister_queue promise");
  // First the registration at the server (the page's calls return before the worker's socket
  // has sent it: a count taken earlier reads 0 too early), then its undo after the late reply.
  await waitFor("the registration at the server", async () => (await consumers("shared.race.one")) === 1, late);
  await waitFor("the late registration undone", async () => (await consumers("shared.race.one")) === 0, late + 3000);
  await S.evaluate(() => t.client.queue_message({ queuename: "shared.race.one", data: 1, striptoken: true }));
  await sleep(300);
  const after = await queueStats("shared.race.one");
  checkEq([after.consumers, after.pending], [0, 1], "the queue after a message: consumers, messages waiting");
  checkEq(await R.evaluate(() => t.got), [], "what reached the cancelled registration's callback");
  step(`register then unregister before a ${late} ms late reply: Cancelled after ${raced.reg.ms} ms, nothing stays registered`);

  // Register, unregister, register again in one tick: one consumer, and only the newest callback.
  await delayReply("registerqueue", late);
  const again = await R.evaluate(async () => {
    const first = t.settled(t.client.register_queue("shared.race.two", (m) => { t.got.push(["first", m.data]); }));
    const unreg = t.settled(t.client.unregister_queue("shared.race.two"));
    const second = t.settled(t.client.register_queue("shared.race.two", (m) => { t.got.push(["second", m.data]); }));
    return { first: await first, unreg: await unreg, second: await second };
  });
  checkEq(again.first.kind, "Cancelled", "register, unregister, register: the first register promise");
  checkEq([again.unreg.outcome, again.second.outcome], ["resolved", "resolved"], "register, unregister, register: the other two");
  await sleep(late);
  checkEq(await consumers("shared.race.two"), 1, "register, unregister, register: server consumers");
  for (const n of [1, 2]) await S.evaluate((n) => t.client.queue_message({ queuename: "shared.race.two", data: n, striptoken: true }), n);
  await waitFor("the newest callback gets both", () => R.evaluate(() => t.got.length >= 2));
  await sleep(200);
  checkEq(await R.evaluate(() => t.got), [["second", 1], ["second", 2]], "register, unregister, register: what the callbacks got");
  step("register, unregister, register in one tick: one consumer, only the newest callback receives");

  // A queue another tab registers too: this tab's cancel leaves it to the other tab.
  await delayReply("registerqueue", late);
  const shared = await Promise.all([
    S.evaluate(() => t.settled(t.client.register_queue("shared.race.three", (m) => { t.got.push(["S", m.data]); }))),
    (async () => {
      await sleep(50); // S's registration is in flight at the worker
      return R.evaluate(async () => {
        const reg = t.settled(t.client.register_queue("shared.race.three", (m) => { t.got.push(["R", m.data]); }));
        await t.client.unregister_queue("shared.race.three");
        return reg;
      });
    })(),
  ]);
  checkEq([shared[0].outcome, shared[1].kind], ["resolved", "Cancelled"], "two tabs, one cancels: their register promises");
  checkEq(await consumers("shared.race.three"), 1, "two tabs, one cancels: server consumers");
  await R.evaluate(() => t.client.queue_message({ queuename: "shared.race.three", data: 3, striptoken: true }));
  await waitFor("S gets the message", () => S.evaluate(() => t.got.length === 1));
  checkEq([await S.evaluate(() => t.got), await R.evaluate(() => t.got.length)], [[["S", 3]], 2], "two tabs, one cancels: who got the message");

  // Nothing reaches a callback once unregister_queue resolved.
  await R.evaluate(() => t.client.register_queue("shared.race.four", (m) => { t.got.push(["four", m.data]); }));
  await R.evaluate(() => t.client.unregister_queue("shared.race.four"));
  checkEq(await consumers("shared.race.four"), 0, "after unregister_queue resolved: server consumers");
  await S.evaluate(() => t.client.queue_message({ queuename: "shared.race.four", data: 4, striptoken: true }));
  await sleep(300);
  checkEq(await R.evaluate(() => t.got.filter((g) => g[0] === "four")), [], "after unregister_queue resolved: what the callback got");
  checkEq(await R.evaluate(() => t.client.debug_counts().promises), 0, "promises left pending in the tab");
  step("one tab cancels a queue another tab registers: the other keeps it; nothing after unregister_queue resolved");
  await closeAll([R, S]);
  checkEq(errors, [], "page errors");
  console.log(`shared faults: worker crash (recovered, one socket), timeouts in the tab, register/unregister races ok in ${Date.now() - t0} ms`);
} finally {
  await browser.close();
  await served.close();
}
