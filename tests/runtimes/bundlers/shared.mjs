// The shared-connection part of the bundler tests: two pages of one origin, as the tool built or
// serves them, each run the README's shared example (`new Client({ url, shared: true })`). What a
// user notices decides the outcome:
//   "shares":     client.shared === true in both, the test server sees ONE socket for the two pages
//   "falls back": client.shared === false in both, two sockets, and each page got exactly one
//                 {event: "SharedFallback", reason} whose reason shows no credentials
// Either way a message from one page reaches the other's queue and an rpc is answered there.
import { launchChromium } from "../common/chromium.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs the two pages at `base` (the tool's index.html URL); returns "shares" or "falls back". */
export async function sharedOutcome(base, url, control, label) {
  const stats = async () => (await fetch(control + "/stats")).json();
  const sockets = async () => (await stats()).connections;
  async function until(what, cond, ms = 10000) {
    const start = Date.now();
    while (Date.now() - start < ms) {
      if (await cond()) return;
      await sleep(25);
    }
    throw new Error("timed out waiting for " + what);
  }
  const eq = (got, want, what) => {
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  };
  await until("no socket left from the previous page", async () => (await sockets()) === 0);

  const browser = await launchChromium();
  const errors = [];
  try {
    const context = await browser.newContext();
    const open = async (name) => {
      const p = await context.newPage();
      p.on("console", (m) => console.log(`[${label} ${name} console.${m.type()}] ${m.text()}`));
      p.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
      await p.goto(`${base}index.html?url=${encodeURIComponent(url)}&shared`);
      await p.waitForFunction(() => window.__result, null, { timeout: 60000 });
      return p;
    };
    const A = await open("A"), B = await open("B");
    // Each page's connect() must settle: a worker that cannot start must not leave it hanging.
    const a = await A.evaluate(() => t.start());
    const b = await B.evaluate(() => t.start());
    eq([a.shared, a.state, b.shared, b.state], [a.shared, "Signedin", a.shared, "Signedin"], "both pages after connect()");
    const outcome = a.shared ? "shares" : "falls back";
    const fallbacks = async (p) => p.evaluate(() => t.events.filter((e) => e.event === "SharedFallback"));
    const [fa, fb] = [await fallbacks(A), await fallbacks(B)];
    if (outcome === "shares") {
      eq(await sockets(), 1, "sockets for two shared pages");
      eq([fa.length, fb.length], [0, 0], "SharedFallback events of shared pages");
    } else {
      eq(await sockets(), 2, "sockets for two pages that fell back");
      eq([fa.length, fb.length], [1, 1], "SharedFallback events (one per page)");
      for (const e of [...fa, ...fb]) {
        if (!e.reason || /testuser|testpass/.test(e.reason)) throw new Error("SharedFallback reason: " + JSON.stringify(e.reason));
      }
      console.log(`${label}: SharedFallback reason: ${fa[0].reason}`);
    }
    // Page A reaches page B's queue, and B's callback answers A's rpc.
    await A.evaluate(([q]) => t.client.queue_message({ queuename: q, data: { text: "from A" }, striptoken: true }), [b.queuename]);
    await until("B gets A's message", () => B.evaluate(() => t.got.some((d) => d.text === "from A")));
    eq(await A.evaluate((q) => t.client.rpc({ queuename: q, data: { text: "ping" }, timeout: 5 }), b.queuename), { echo: { text: "ping" } }, "rpc from A to B's queue");
    eq(await A.evaluate(() => t.got), [], "A's queue got nothing meant for B");
    await A.close();
    await B.close();
    await until("the pages' sockets close", async () => (await sockets()) === 0);
    eq(errors, [], "page errors");
    return outcome;
  } finally {
    await browser.close();
  }
}
