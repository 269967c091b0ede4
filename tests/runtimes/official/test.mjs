// Our npm package (the packed tarball, Node) and the official `openiap-client` 0.0.41 crate
// (tests/testserver/examples/official_peer.rs, driven over stdin) exchange traffic through the
// test server:
//   1. an official `rpc` is answered by our `register_queue` callback;
//   2. our `rpc` (three at once) is answered by an official queue;
//   3. official `queue_message`s reach our queue once each and in order, with the sender's user;
//   4. after `/drop` on the control port, both reconnect and our queue keeps receiving.
// Usage: node [--experimental-websocket] official/test.mjs ws://user:pass@HOST:PORT CONTROL_URL PEER_BINARY
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Client } from "openiap-wasm";

const [url, control, peerBinary] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deadline = (ms) => new Promise((r) => setTimeout(r, ms).unref());     // keeps nothing alive
function checkEq(got, want, what) {
  const g = JSON.stringify(got), w = JSON.stringify(want);
  if (g !== w) throw new Error(`${what}: expected ${w}, got ${g}`);
}
async function waitFor(what, cond, ms = 10000) {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (cond()) return;
  throw new Error("timed out waiting for " + what);
}

/** The official client in its own process: `cmd(line)` resolves to its JSON answer. */
function startPeer() {
  const child = spawn(peerBinary, [], { stdio: ["pipe", "pipe", "inherit"] });
  const answers = [];
  const waiting = [];
  createInterface({ input: child.stdout }).on("line", (line) => {
    const w = waiting.shift();
    if (w) w(JSON.parse(line)); else answers.push(JSON.parse(line));
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return {
    async cmd(line) {
      child.stdin.write(line + "\n");
      const answer = await Promise.race([
        new Promise((resolve) => (answers.length ? resolve(answers.shift()) : waiting.push(resolve))),
        exited.then((code) => ({ error: `official_peer exited (${code})` })),
        deadline(20000).then(() => ({ error: "no answer within 20 s" })),
      ]);
      if (answer.error) throw new Error(`official client, ${line.split(" ")[0]}: ${answer.error}`);
      return answer;
    },
    async quit() { child.stdin.end("quit\n"); await Promise.race([exited, deadline(5000)]); child.kill(); },
  };
}

const tag = Math.random().toString(36).slice(2, 8);
const peer = startPeer();
const ours = new Client({ url, agent: "official-interop", reconnect: { initial_ms: 50, max_ms: 300 } });
const events = [];
ours.on_client_event((e) => events.push(e.event));
try {
  await peer.cmd(`connect ${url}`);
  await ours.connect();

  const ourQueue = `ours.${tag}`;
  const received = [];
  await ours.register_queue({ queuename: ourQueue }, (msg) => {
    received.push(msg);
    return { ours_echo: msg.data };
  });

  // 1. The official rpc, answered by our callback's return value.
  const official = await peer.cmd(`rpc ${ourQueue} {"n":1}`);
  checkEq(official.reply, { ours_echo: { n: 1 } }, "official rpc answered by our register_queue callback");
  const call = received.shift();
  if (!call.replyto) throw new Error("the official rpc's message has no replyto");

  // 2. Our rpc, three at once, answered by an official queue (correlation ids go through it).
  const officialQueue = (await peer.cmd(`serve official.${tag}`)).queue;
  const replies = await Promise.all([2, 3, 4].map((n) =>
    ours.rpc({ queuename: officialQueue, data: { n }, striptoken: true, timeout: 10 })));
  checkEq(replies, [2, 3, 4].map((n) => ({ official_echo: { n } })), "our rpcs answered by the official queue");

  // 3. Official queue_messages: each arrives once, in order, with the sender's user.
  const N = 20;
  for (let i = 0; i < N; i++) await peer.cmd(`send ${ourQueue} {"seq":${i}}`);
  await waitFor(`${N} messages`, () => received.length >= N);
  await sleep(300);                                     // time for a duplicate to show up
  checkEq(received.map((m) => m.data), [...Array(N).keys()].map((seq) => ({ seq })), "official messages, once each, in order");
  const username = decodeURIComponent(new URL(url.replace(/^ws/, "http")).username);
  checkEq(received[0].user && received[0].user.username, username, "the sender's user moved out of data");
  received.length = 0;

  // 4. /drop: both clients lose their sockets; ours reconnects and registers the queue again.
  const signedIn = events.filter((e) => e === "SignedIn").length;
  const dropped = await fetch(`${control}/drop`, { method: "POST" });
  if (!dropped.ok) throw new Error("POST /drop: HTTP " + dropped.status);
  await waitFor("our client signed in again", () => events.filter((e) => e === "SignedIn").length > signedIn);
  await peer.cmd("wait_reconnect");
  const M = 10;
  for (let i = 0; i < M; i++) await peer.cmd(`send ${ourQueue} {"after":${i}}`);
  await waitFor(`${M} messages after the drop`, () => received.length >= M);
  await sleep(300);
  checkEq(received.map((m) => m.data), [...Array(M).keys()].map((after) => ({ after })), "after /drop, once each, in order");

  console.log(`official openiap-client 0.0.41 <-> openiap-wasm: official rpc -> our callback, our rpc x3 -> official queue, ${N} official messages once each in order, /drop, ${M} more after reconnecting: ok`);
} finally {
  ours.disconnect();
  await peer.quit();
}
