// End-to-end test of the demo page in headless Chromium (playwright-core driving /usr/bin/chromium).
// Starts its own stack on free ports: the test server and the demo's static server. Needs the
// web package in pkg/web and target/debug/openiap-testserver (.ci/test-demo.sh builds both).
// Saves tests/artifacts/demo.png. Last line: "N passed, N failed"; exit code 1 on any failure.
import { spawn } from "node:child_process";
import http from "node:http";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { chromium } = createRequire(path.join(ROOT, ".ci/npm/package.json"))("playwright-core");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const ARTIFACTS = path.join(ROOT, "tests/artifacts");
const SCREENSHOT = path.join(ARTIFACTS, "demo.png");
const PASSWORD = "testpass";
const QUEUE = "demo-e2e";

const children = [];
function start(cmd, args, env, pattern, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.push(child);
    let out = "", err = "";
    const timer = setTimeout(() => reject(new Error(`${what} did not start in 30 s: ${err}`)), 30000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) { clearTimeout(timer); resolve(m); }
    });
    child.stderr.on("data", (d) => { err = (err + d).slice(-4000); });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code}): ${err}`)); });
  });
}
function stopAll() {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
}
process.on("exit", stopAll);

let passed = 0, failed = 0;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    return true;
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message.split("\n")[0] : e}`);
    return false;
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/** One request to `url` with extra headers (Host may be forged); resolves {status, body}. */
function request(url, { method = "GET", headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let body = "";
      res.on("data", (d) => { body += d; });
      res.on("end", () => resolve({ status: res.statusCode, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

let browser;
async function main() {
  const server = path.join(ROOT, "target/debug/openiap-testserver");
  assert(fs.existsSync(server), `${server} is missing: cargo build -p openiap-testserver`);
  assert(fs.existsSync(path.join(ROOT, "pkg/web/openiap_wasm.js")), "pkg/web is missing: build the web package first");

  const [, ws, control] = await start(server, ["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--quiet"], {},
    /LISTENING ws=(\S+) control=(\S+)/, "test server");
  const [, pageUrl] = await start(process.execPath, [path.join(ROOT, ".ci/demo-serve.mjs")],
    { DEMO_PORT: "0", DEMO_WS_URL: ws, DEMO_CONTROL_URL: control, DEMO_USER: "testuser", DEMO_PASSWORD: PASSWORD },
    /^DEMO (\S+)/m, "static server");
  console.log(`stack: page ${pageUrl}, test server ${ws}, control ${control}`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--disable-quic", "--no-first-run"],
  });
  // A context of its own, so that a second tab of the same origin can join (shared connection).
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  const consoleLines = [], pageErrors = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.setDefaultTimeout(15000);

  const state = () => page.locator("#state").getAttribute("data-state");
  const waitState = (s, timeout = 15000) =>
    page.waitForFunction((s) => document.getElementById("state").dataset.state === s, s, { timeout });
  const queueLog = page.locator(`.queue[data-queue="${QUEUE}"] .log li:not(.empty)`);
  const stats = async () => (await fetch(control + "/stats")).json();

  let ok = await step("page loads the package, form prefilled from /config.json", async () => {
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.demo && window.demo.ready);
    assert((await page.inputValue("#url")) === ws, "url field: " + (await page.inputValue("#url")));
    assert((await page.inputValue("#username")) === "testuser", "username not prefilled");
    assert((await page.getAttribute("#password", "type")) === "password", "password field is not masked");
    assert((await state()) === "Disconnected", "initial state " + (await state()));
  });

  await step("static server: only its own Host (DNS rebinding gets 403)", async () => {
    const port = new URL(pageUrl).port;
    for (const host of ["evil.example", `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost:${Number(port) + 1}`]) {
      for (const p of ["/", "/config.json", "/control/stats"]) {
        const r = await request(new URL(p, pageUrl), { headers: { Host: host } });
        assert(r.status === 403, `Host ${host} ${p}: HTTP ${r.status}`);
        assert(!r.body.includes(PASSWORD), `Host ${host} ${p}: the password in the answer`);
      }
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const r = await request(new URL("/config.json", pageUrl), { headers: { Host: host } });
      assert(r.status === 200, `Host ${host}: HTTP ${r.status}`);
    }
  });

  await step("control port: the page's own origin only, through /control/", async () => {
    const before = (await stats()).closes.length;
    const foreign = await request(new URL("/control/drop", pageUrl), { method: "POST", headers: { Origin: "https://evil.example" } });
    assert(foreign.status === 403, "foreign origin through the demo server: HTTP " + foreign.status);
    const img = await request(new URL("/control/drop", pageUrl), { headers: { "Sec-Fetch-Site": "cross-site" } });
    assert(img.status === 403, "cross-site request without Origin: HTTP " + img.status);
    const direct = await request(control + "/drop", { method: "POST", headers: { Origin: new URL(pageUrl).origin } });
    assert(direct.status === 403 && !direct.headers["access-control-allow-origin"], "the test server serves a page directly: HTTP " + direct.status);
    const own = await request(new URL("/control/stats", pageUrl), { headers: { Origin: new URL(pageUrl).origin } });
    assert(own.status === 200 && JSON.parse(own.body).closes.length === before, "own origin: HTTP " + own.status);
  });

  ok = ok && await step("connect: state becomes SignedIn", async () => {
    await page.click("#btn-connect");
    await waitState("SignedIn");
    const events = await page.locator("#timeline li").evaluateAll((l) => l.map((e) => e.dataset.event));
    for (const e of ["Connecting", "Connected", "SignedIn"]) assert(events.includes(e), `no ${e} on the timeline: ${events}`);
    assert((await page.textContent("#connect-result")).includes("signed in"), "connect result not shown");
  });

  ok = ok && await step("register a queue", async () => {
    await page.fill("#queue-name", QUEUE);
    await page.click("#register button[type=submit]");
    await page.locator(`.queue[data-queue="${QUEUE}"]`).waitFor();
    assert(!(await page.textContent("#queues")).includes("No queue registered"), "'No queue registered' still shown");
    assert((await stats()).queues !== 0, "server has no queue");
  });

  ok = ok && await step("queue_message arrives in the queue's log", async () => {
    await page.fill("#send-queue", QUEUE);
    await page.fill("#send-data", '{"n": 1, "text": "first"}');
    await page.click("#btn-send");
    await queueLog.filter({ hasText: '"first"' }).waitFor();
  });

  ok = ok && await step("rpc gets the queue callback's reply", async () => {
    await page.fill("#send-data", '{"n": 2, "text": "ping"}');
    await page.click("#btn-rpc");
    await page.locator("#send-result", { hasText: "rpc reply" }).waitFor();
    const text = await page.textContent("#send-result");
    assert(text.includes('"echo":{"n":2,"text":"ping"}'), "unexpected reply: " + text);
  });

  ok = ok && await step("a second tab shares the connection: \"shared connection: 2 tabs\", one socket", async () => {
    const tabs = (p, text) => p.waitForFunction((t) => document.getElementById("tabs").textContent === t, text);
    await tabs(page, "shared connection: 1 tab");
    const second = await page.context().newPage();
    second.on("pageerror", (e) => pageErrors.push(String(e)));
    await second.goto(pageUrl);
    await second.waitForFunction(() => window.demo && window.demo.ready);
    await second.click("#btn-connect");
    await second.waitForFunction(() => document.getElementById("state").dataset.state === "SignedIn");
    await tabs(second, "shared connection: 2 tabs");
    await tabs(page, "shared connection: 2 tabs");
    assert((await stats()).connections === 1, `the server has ${(await stats()).connections} sockets for two tabs`);
    await second.close();
    await tabs(page, "shared connection: 1 tab");
  });

  ok = ok && await step("live table: a row inserted in one tab appears in the other", async () => {
    const liveRows = (p) => p.locator("#live-table tbody tr:not(.empty) td:first-child").allTextContents();
    const isLive = (p) => p.waitForFunction(() => document.getElementById("live-status").dataset.status === "live");
    await isLive(page);
    const second = await page.context().newPage();
    second.on("pageerror", (e) => pageErrors.push(String(e)));
    await second.goto(pageUrl);
    await second.waitForFunction(() => window.demo && window.demo.ready);
    await second.click("#btn-connect");
    await isLive(second);
    await page.fill("#live-name", "from tab one");
    await page.click("#live-insert button[type=submit]");
    await second.locator("#live-table td", { hasText: "from tab one" }).waitFor();
    await second.fill("#live-name", "from tab two");
    await second.click("#live-insert button[type=submit]");
    await page.locator("#live-table td", { hasText: "from tab two" }).waitFor();
    assert(JSON.stringify(await liveRows(page)) === JSON.stringify(["from tab two", "from tab one"]), "tab one shows " + await liveRows(page));
    await second.locator("#live-table tr", { hasText: "from tab one" }).locator("button").click();
    await page.waitForFunction(() => !document.getElementById("live-table").textContent.includes("from tab one"));
    await second.close();
  });

  await step("at 1280 px the shared-connection checkbox's label fits in the Connection panel", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const box = await page.evaluate(() => {
      const label = document.getElementById("shared").closest("label"), card = document.getElementById("connect");
      const r = label.getBoundingClientRect(), c = card.getBoundingClientRect();
      const text = [...label.querySelectorAll("*")].map((e) => e.getBoundingClientRect().right);
      return { right: Math.max(r.right, ...text), limit: c.right - parseFloat(getComputedStyle(card).paddingRight), overflow: label.scrollWidth > label.clientWidth };
    });
    await page.setViewportSize({ width: 1440, height: 900 });
    assert(box.right <= box.limit && !box.overflow, `the label ends at ${box.right} px, the panel's content at ${box.limit} px`);
  });

  ok = ok && await step("drop: the state leaves SignedIn and comes back, the queue still receives", async () => {
    const before = (await stats()).signins;
    await page.click('[data-fault="/drop"]');
    await page.locator('#timeline li[data-event="Disconnected"]').first().waitFor();
    await waitState("SignedIn");
    await page.waitForFunction(() => document.getElementById("n-reconnects").textContent === "1");
    const timeline = await page.textContent("#timeline");
    assert(/recovered after \d+ attempts? in/.test(timeline), "no recovery line on the timeline");
    assert((await stats()).signins > before, "no new sign-in on the server");
    await page.fill("#send-data", '{"n": 3, "text": "after drop"}');
    await page.click("#btn-send");
    await queueLog.filter({ hasText: "after drop" }).waitFor();
  });

  ok = ok && await step("restart (server down 3 s): reconnect attempts counted, back to SignedIn", async () => {
    await page.click('[data-fault="/down?ms=3000"]');
    await page.waitForFunction(() => document.getElementById("state").dataset.state !== "SignedIn", null, { timeout: 5000 });
    await waitState("SignedIn", 20000);
    const attempts = Number(await page.textContent("#n-attempts"));
    assert(attempts >= 2, `expected several reconnect attempts, got ${attempts}`);
    assert((await page.textContent("#n-reconnects")) === "2", "reconnects counter is not 2");
    const labels = await page.locator('#timeline li[data-event="Connecting"]').allTextContents();
    assert(labels.some((t) => /reconnect attempt 2/.test(t)), "no 'reconnect attempt 2' on the timeline");
  });

  ok = ok && await step("stall until heal: the heartbeat notices, the client recovers", async () => {
    await page.click('[data-fault="/stall?ms=0"]');
    await page.waitForFunction(() => document.getElementById("state").dataset.state !== "SignedIn", null, { timeout: 15000 });
    await page.click('[data-fault="/heal"]');
    await waitState("SignedIn", 20000);
    await page.fill("#send-data", '{"n": 4, "text": "after stall"}');
    await page.click("#btn-send");
    await queueLog.filter({ hasText: "after stall" }).waitFor();
  });

  ok = ok && await step("garbage frame: protocol error, reconnect, back to SignedIn", async () => {
    await page.click('[data-fault="/garbage"]');
    await page.locator('#timeline li[data-event="Disconnected"]', { hasText: "protocol error" }).first().waitFor();
    await waitState("SignedIn");
    await page.waitForFunction(() => document.getElementById("n-reconnects").textContent === "4");
  });

  await step("screenshot saved", async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert(fs.statSync(SCREENSHOT).size > 10000, "screenshot is too small");
    console.log(`     ${path.relative(ROOT, SCREENSHOT)}`);
  });

  await step("the password is never shown or logged; no page errors", async () => {
    const text = await page.evaluate(() => document.body.innerText);
    assert(!text.includes(PASSWORD), "the password is in the page text");
    const html = await page.evaluate(() => {
      const clone = document.documentElement.cloneNode(true);
      return clone.outerHTML;  // attributes only; input values are properties, not in the markup
    });
    assert(!html.includes(PASSWORD), "the password is in the page markup");
    assert(!consoleLines.some((l) => l.includes(PASSWORD)), "the password is in the console");
    assert(pageErrors.length === 0, "page errors: " + pageErrors.join(" | "));
  });

  ok = ok && await step("disconnect: state Disconnected, server sees no socket", async () => {
    await page.click("#btn-disconnect");
    await waitState("Disconnected");
    const deadline = Date.now() + 5000;
    while ((await stats()).connections !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert((await stats()).connections === 0, "the server still has a socket");
  });
  await step("make demo URL=wss://user:secret@host: /config.json and the page hold no password", async () => {
    const [, realUrl] = await start("bash", [path.join(ROOT, ".ci/demo.sh"), "wss://someone:s3cret-pw@openiap.invalid/"],
      { DEMO_NO_BUILD: "1", DEMO_PORT: "0", DEMO_PASSWORD: "s3cret-env" }, /openiap-wasm demo:\s+(\S+)/, "make demo URL=...");
    const r = await request(new URL("/config.json", realUrl));
    assert(r.status === 200, "HTTP " + r.status);
    assert(!r.body.includes("s3cret"), "the password is in /config.json: " + r.body);
    const cfg = JSON.parse(r.body);
    assert(cfg.url === "wss://openiap.invalid/" && cfg.username === "someone" && cfg.password === "" && cfg.control === "", r.body);
    const p2 = await browser.newPage();
    await p2.goto(realUrl);
    await p2.waitForFunction(() => window.demo && window.demo.ready);
    assert((await p2.inputValue("#password")) === "", "password field prefilled");
    assert((await p2.inputValue("#username")) === "someone", "username not prefilled");
    assert(!(await p2.content()).includes("s3cret"), "the password is on the page");
    await p2.close();
  });
  if (failed) {
    console.log("console of the page:\n  " + consoleLines.slice(-30).join("\n  "));
  }
}

try {
  await main();
} catch (e) {
  failed++;
  console.log(`FAIL setup: ${e && e.message ? e.message : e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  stopAll();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
