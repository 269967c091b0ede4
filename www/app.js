// The demo dashboard: one openiap-wasm Client driven from a form, its events on a timeline,
// queues with a message log each, a send box, and fault buttons for the bundled test server.
// The password is read from its field when connecting and never shown, logged or stored.
// With "share one connection" checked (the default), every tab of the demo uses one socket
// through the package's SharedWorker (`shared: true`); the header shows how many tabs share it.
import init, { Client } from "/pkg/web/openiap_wasm.js";

// Fast recovery so a visitor sees it: backoff 0.25 s -> 4 s, a stalled link noticed within ~7 s,
// a socket that does not open within 5 s given up.
const CLIENT_OPTIONS = {
  agent: "openiap-wasm-demo",
  reconnect: { initial_ms: 250, max_ms: 4000 },
  heartbeat_ms: 4000,
  heartbeat_timeout_ms: 3000,
  connect_timeout_ms: 5000,
  timeout_ms: 10000,             // also bounds a sign-in on a link that opened but stalls
};
const MAX_LINES = 400;

const $ = (id) => document.getElementById(id);

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c);
  return node;
}

const pad = (n, w = 2) => String(n).padStart(w, "0");
function clock(d = new Date()) {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
const stamp = () => h("time", {}, clock());
const seconds = (ms) => (ms / 1000).toFixed(1) + " s";

function show(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 300 ? text.slice(0, 300) + "…" : text;
}

/** The data to send: JSON as typed; text that is not JSON as `{text}`, since OpenFlow's queues
 * carry JSON of an object, array, number or boolean only (README, "Queue data"). */
function parseData(text) {
  try {
    const v = JSON.parse(text);
    return typeof v === "string" || v === null ? { text: v } : v;
  } catch {
    return { text };
  }
}

/** Splits `scheme://user:pass@host` into the URL without credentials and the credentials. */
function splitCredentials(url) {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(url);
  if (!m) return { url, username: "", password: "" };
  const [user, ...pass] = m[2].split(":");
  const dec = (s) => { try { return decodeURIComponent(s); } catch { return s; } };
  return { url: m[1] + m[3], username: dec(user), password: dec(pass.join(":")) };
}
const redact = (url) => splitCredentials(url).url;

function errorText(err) {
  if (err && typeof err === "object") return (err.kind ? err.kind + ": " : "") + (err.message || String(err));
  return String(err);
}

// ----- state --------------------------------------------------------------------------------

let config = { url: "", control: "", username: "", password: "" };
let client = null;
let generation = 0;              // events of a replaced client are ignored
let closing = false;             // the visitor pressed Disconnect
let everSignedIn = false;
let outage = null;               // {since, attempts} while reconnecting after a loss
let lastRecovery = "";
const counts = { reconnects: 0, attempts: 0, in: 0, out: 0 };
const queues = new Map();        // queue name -> {root, log, title, count, n}

// ----- timeline -----------------------------------------------------------------------------

function timeline(kind, title, detail = "") {
  const list = $("timeline");
  list.prepend(h("li", { class: kind, "data-event": title }, stamp(), h("b", {}, title), h("span", {}, detail)));
  while (list.children.length > MAX_LINES) list.lastElementChild.remove();
}
const note = (title, detail) => timeline("note", title, detail);

function setBadge(state) {
  const badge = $("state");
  badge.textContent = state;
  badge.dataset.state = state;
}

function refreshCounters() {
  $("n-reconnects").textContent = counts.reconnects;
  $("n-attempts").textContent = counts.attempts;
  $("n-messages").textContent = `${counts.in} / ${counts.out}`;
  $("outage").textContent = outage
    ? `${seconds(performance.now() - outage.since)}, attempt ${outage.attempts}`
    : lastRecovery || "–";
}

function setConnectedUi(active) {
  $("btn-disconnect").disabled = !active;
  $("btn-connect").textContent = active ? "Reconnect" : "Connect";
}

// ----- client events ------------------------------------------------------------------------

function showTabs(text) {
  $("tabs").textContent = text;
}

function onClientEvent(gen, e) {
  if (gen !== generation) return;
  if (e.event === "Tabs") return showTabs(`shared connection: ${e.count} tab${e.count === 1 ? "" : "s"}`);
  let detail = e.reason || "";
  switch (e.event) {
    case "Connecting":
      if (outage) {
        outage.attempts++;
        counts.attempts++;
        detail = `reconnect attempt ${outage.attempts}` + (detail ? ` (${detail})` : "");
      } else if (!detail) {
        detail = everSignedIn ? "" : "first connection";
      }
      break;
    case "Connected":
      detail ||= "link ready";
      break;
    case "SignedIn":
      if (outage) {
        counts.reconnects++;
        const took = performance.now() - outage.since;
        lastRecovery = `recovered in ${seconds(took)}`;
        detail = `recovered after ${outage.attempts} attempt${outage.attempts === 1 ? "" : "s"} in ${seconds(took)}` +
          ", queues registered again";
        outage = null;
      } else {
        detail ||= "signed in";
      }
      everSignedIn = true;
      break;
    case "Disconnected":
      if (everSignedIn && !closing && !outage) outage = { since: performance.now(), attempts: 0 };
      break;
    case "QueueRenamed":
      detail = `${e.old} → ${e.new}`;
      renameQueue(e.old, e.new);
      break;
  }
  timeline(e.event, e.event, detail);
  if (e.event === "SignedIn" || e.event === "Disconnected") setTimeout(pollStats, 300);
  setBadge(e.event === "Error" || e.event === "QueueRenamed" ? client.get_state() : e.event);
  refreshCounters();
}

// ----- connect / disconnect -----------------------------------------------------------------

function release(reason) {
  if (!client) return;
  closing = true;
  try {
    client.disconnect();
  } finally {
    closing = false;
  }
  client.free();
  client = null;
  generation++;
  outage = null;
  for (const q of queues.values()) q.root.classList.add("gone");
  queues.clear();
  refreshQueueNames();
  setBadge("Disconnected");
  setConnectedUi(false);
  showTabs("");
  if (reason) note("disconnect()", reason);
  refreshCounters();
}

async function connect(ev) {
  ev.preventDefault();
  release(client ? "replaced by a new connection" : "");
  const url = $("url").value.trim();
  const jwt = $("jwt").value.trim();
  const username = $("username").value.trim();
  const options = { ...CLIENT_OPTIONS, url, shared: $("shared").checked };
  if (jwt) options.jwt = jwt;
  else if (username) Object.assign(options, { username, password: $("password").value });
  const who = jwt ? "with a JWT" : username ? `as ${username}` : splitCredentials(url).username ? "with the URL's credentials" : "as guest";

  const gen = ++generation;
  for (const old of document.querySelectorAll(".queue.gone")) old.remove();
  refreshQueueNames();
  everSignedIn = false;
  outage = null;
  lastRecovery = "";
  counts.reconnects = counts.attempts = 0;
  const result = $("connect-result");
  try {
    client = new Client(options);
  } catch (err) {
    note("new Client() failed", errorText(err));
    result.className = "hint bad";
    result.textContent = errorText(err);
    return;
  }
  const mine = client;
  client.on_client_event((e) => onClientEvent(gen, e));
  window.demo.client = client;
  setConnectedUi(true);
  note("connect()", `${redact(url)} ${who}`);
  result.className = "hint";
  result.textContent = "connecting…";
  try {
    await mine.connect();
    if (gen !== generation) return;
    result.className = "hint good";
    result.textContent = `signed in ${who}; the client now reconnects by itself`;
    if (!mine.shared) showTabs(options.shared ? "own connection (no SharedWorker in this browser)" : "own connection");
  } catch (err) {
    if (gen !== generation) return;
    note("connect() rejected", errorText(err));
    result.className = "hint bad";
    result.textContent = errorText(err);
    release("");
  }
}

// ----- queues -------------------------------------------------------------------------------

function refreshQueueNames() {
  $("queue-names").replaceChildren(...[...queues.keys()].map((name) => h("option", { value: name })));
  const list = $("queues");
  list.querySelector(":scope > .empty")?.remove();
  if (!list.querySelector(":scope > .queue")) list.append(h("p", { class: "hint empty" }, "No queue registered yet."));
}

function queuePanel(name) {
  let q = queues.get(name);
  if (q) return q;
  const title = h("b", {}, name);
  const count = h("span", { class: "count" }, "0 messages");
  const log = h("ol", { class: "log" }, h("li", { class: "empty" }, "waiting for messages…"));
  const root = h("div", { class: "queue", "data-queue": name },
    h("header", {}, title, count, h("button", { type: "button", class: "small", onclick: () => unregister(q) }, "unregister")),
    log);
  q = { name, root, log, title, count, n: 0 };
  $("queues").prepend(root);
  queues.set(name, q);
  refreshQueueNames();
  return q;
}

function renameQueue(oldName, newName) {
  const q = queues.get(oldName);
  if (!q) return;
  queues.delete(oldName);
  q.name = newName;
  q.title.textContent = newName;
  q.root.dataset.queue = newName;
  queues.set(newName, q);
  if ($("send-queue").value === oldName) $("send-queue").value = newName;
  refreshQueueNames();
}

function onMessage(gen, answer, msg) {
  if (gen !== generation) return undefined;
  const q = queuePanel(msg.queuename);
  const reply = answer && msg.replyto ? { echo: msg.data, from: "openiap-wasm demo", at: new Date().toISOString() } : undefined;
  q.n++;
  counts.in++;
  q.count.textContent = `${q.n} message${q.n === 1 ? "" : "s"}`;
  q.log.querySelector(".empty")?.remove();
  q.log.prepend(h("li", {}, stamp(),
    msg.replyto ? h("span", { class: "tag", title: `replyto ${msg.replyto}` }, reply ? "rpc ↩" : "rpc") : null,
    msg.user ? h("span", { class: "tag", title: "sent with the sender's token" }, msg.user.username || msg.user.name) : null,
    h("code", {}, show(msg.data))));
  while (q.log.children.length > MAX_LINES) q.log.lastElementChild.remove();
  refreshCounters();
  return reply;
}

async function register(ev) {
  ev.preventDefault();
  if (!client) return note("register_queue", "connect first");
  const wanted = $("queue-name").value.trim();
  const answer = $("queue-reply").checked;
  const gen = generation;
  try {
    const name = await client.register_queue({ queuename: wanted }, (msg) => onMessage(gen, answer, msg));
    if (gen !== generation) return;
    queuePanel(name);
    if (!$("send-queue").value || !queues.has($("send-queue").value)) $("send-queue").value = name;
    note("register_queue", wanted === name ? name : `${wanted || "(temporary)"} → ${name}`);
  } catch (err) {
    note("register_queue failed", errorText(err));
  }
}

async function unregister(q) {
  if (!client || queues.get(q.name) !== q) return q.root.remove();
  try {
    await client.unregister_queue(q.name);
    note("unregister_queue", q.name);
    queues.delete(q.name);
    q.root.remove();
    refreshQueueNames();
  } catch (err) {
    note("unregister_queue failed", errorText(err));
  }
}

// ----- send ---------------------------------------------------------------------------------

function sendResult(text, cls = "hint") {
  const r = $("send-result");
  r.className = cls;
  r.textContent = text;
}

async function send(rpc) {
  if (!client) return sendResult("connect first", "hint bad");
  const queuename = $("send-queue").value.trim();
  const data = parseData($("send-data").value);
  const timeout = Number($("rpc-timeout").value) || 5000;
  const t0 = performance.now();
  counts.out++;
  refreshCounters();
  try {
    if (rpc) {
      sendResult("waiting for the reply…");
      const reply = await client.rpc({ queuename, data, timeout_ms: timeout });
      const ms = Math.round(performance.now() - t0);
      sendResult(`rpc reply in ${ms} ms: ${show(reply)}`, "hint good");
      note("rpc", `${queuename}: reply in ${ms} ms`);
    } else {
      await client.queue_message({ queuename, data, striptoken: true });
      sendResult(`sent to ${queuename}: ${show(data)}`, "hint good");
    }
  } catch (err) {
    sendResult(errorText(err), "hint bad");
    note(rpc ? "rpc failed" : "queue_message failed", errorText(err));
  }
}

// ----- test server faults -------------------------------------------------------------------

async function fault(path) {
  note("test server", path);
  try {
    const r = await fetch(config.control + path, { method: "POST" });
    const body = await r.text();
    if (!r.ok) note("test server error", `${path}: HTTP ${r.status} ${body}`);
    pollStats();
  } catch (err) {
    note("test server unreachable", String(err.message || err));
  }
}

async function pollStats() {
  if (!config.control) return;
  try {
    const s = await (await fetch(config.control + "/stats")).json();
    $("server-stats").textContent =
      `Test server: ${s.connections} socket${s.connections === 1 ? "" : "s"}, ${s.signedin} signed in, ${s.signins} sign-ins so far.`;
  } catch {
    $("server-stats").textContent = "Test server control endpoint unreachable.";
  }
}

// ----- start --------------------------------------------------------------------------------

async function main() {
  window.demo = { client: null, ready: false };
  try {
    config = { ...config, ...(await (await fetch("/config.json", { cache: "no-store" })).json()) };
  } catch {
    /* served without the demo server: empty form */
  }
  const fromUrl = splitCredentials(config.url || "");
  $("url").value = fromUrl.url;
  $("username").value = fromUrl.username || config.username || "";
  $("password").value = fromUrl.password || config.password || "";
  // Only the bundled test user's password is ever prefilled; a real server's is asked for here.
  if (!$("password").value) $("password").placeholder = "the server's password";

  if (!config.control) {
    $("faults-hint").textContent = "Fault buttons need the bundled test server (make demo without URL=).";
    for (const b of document.querySelectorAll("[data-fault]")) b.disabled = true;
  } else {
    for (const b of document.querySelectorAll("[data-fault]")) b.addEventListener("click", () => fault(b.dataset.fault));
    pollStats();
    setInterval(pollStats, 2000);
  }

  $("connect").addEventListener("submit", connect);
  $("btn-disconnect").addEventListener("click", () => release("by the visitor"));
  $("register").addEventListener("submit", register);
  $("send").addEventListener("submit", (ev) => { ev.preventDefault(); send(false); });
  $("btn-rpc").addEventListener("click", () => send(true));
  $("btn-clear").addEventListener("click", () => $("timeline").replaceChildren());
  setInterval(refreshCounters, 250);

  try {
    await init();
    note("package loaded", "openiap-wasm (web target)");
    window.demo.ready = true;
  } catch (err) {
    note("package failed to load", String(err.message || err));
    $("btn-connect").disabled = true;
  }
}

main();
