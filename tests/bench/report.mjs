// results.json → the Markdown table (tests/bench/results.md, pasted into the README).
//   node tests/bench/report.mjs [results.json]   prints it again from a saved run
import fs from "node:fs";
import { fileURLToPath } from "node:url";

const f0 = (x) => (x == null || Number.isNaN(x) ? "–" : Math.round(x).toLocaleString("en-US"));
const f2 = (x) => (x == null || Number.isNaN(x) ? "–" : x.toFixed(2));
const f1 = (x) => (x == null || Number.isNaN(x) ? "–" : x.toFixed(1));
const f3 = (x) => (x == null || Number.isNaN(x) ? "–" : x.toFixed(3));
const kb = (x) => (x == null ? "–" : (x / 1024).toFixed(1) + " KiB");
const mb = (x) => (x == null ? "–" : (x / 2 ** 20).toFixed(2) + " MiB");
const ok = (b) => (b ? "met" : "**missed**");
const list = (a) => (a || []).map(f2).join(" ");
/** debug_counts(): a named object today, a list in older results. */
const counts = (c) => (Array.isArray(c) ? c.join(",") : Object.entries(c || {}).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ") || "all 0");
// Targets of older results (before issue 15).
const OLD_TARGETS = { ours_over_raw: 0.8, ours_over_pbjs: 2, rpc_p50_over_raw: 1.2 };

/** A target row: [what, measured, met, by how much]. `atLeast`: the measure must be ≥ goal. */
function target(what, value, goal, atLeast, fmt = f2, unit = "") {
  const met = atLeast ? value >= goal : value <= goal;
  const by = atLeast ? value - goal : goal - value;
  return [what, fmt(value) + unit, met, `${met ? "by" : "short by"} ${fmt(Math.abs(by))}${unit}`];
}

export function report(r) {
  const m = r.machine;
  const out = [];
  out.push(`### Benchmark results${r.quick ? " (BENCH_QUICK=1: short run)" : ""}`);
  out.push("");
  out.push(`${m.date.slice(0, 10)} · ${m.cpu} × ${m.cores} cores, ${m.memory_gb} GiB · ${m.os} · Chromium ${m.chromium} (headless) · node ${m.node} · commit ${m.commit} · load average ${m.loadavg_start.join("/")} at start, ${(m.loadavg_end || []).join("/")} at end (the machine was shared: compare the ratios, not the absolute figures) · \`bash .ci/bench.sh\`, ${m.duration_s} s`);
  out.push("");
  const targets = [];
  const T = r.targets || OLD_TARGETS;
  if (r.replay) {
    const s = r.replay.summary;
    const kinds = ["ours", "pbjs", "floor", "raw", "ours_b"].filter((k) => s["256"][k]);
    const label = { ours: "ours", pbjs: "pure JS", floor: "parse floor", raw: "raw", ours_b: "ours (build B)" };
    out.push(`**Replay** — CPU only: the WebSocket messages the test server sent for ${f0(s["256"].count)} (256 B) and ${f0(s["16384"].count)} (16 KiB) queue events, recorded once, played into each client's unchanged receive path through a WebSocket stand-in (tests/bench/replay.js), ${r.replay.batch} messages per task, as fast as each takes them. msg/s is wall time of the playback, µs the time inside the dispatches per message; ${r.counts.rounds} rounds, paired per round. *parse floor* = a hand-written receiver that finds \`data\`'s bytes, decodes and \`JSON.parse\`s them.`);
    out.push("");
    out.push(`| payload | ${kinds.map((k) => `${label[k]} msg/s (µs)`).join(" | ")} | ours / pure JS | ours / floor | ours / raw |`);
    out.push(`|---|${kinds.map(() => "---:").join("|")}|---:|---:|---:|`);
    for (const size of ["256", "16384"]) {
      const x = s[size], name = size === "256" ? "256 B" : "16 KiB";
      const ratio = (v) => `${f2(v.median)} (${f2(v.min)}–${f2(v.max)})`;
      out.push(`| ${name} | ${kinds.map((k) => `${f0(x[k].per_s.median)} (${f2(x[k].cpu_us.median)})`).join(" | ")} | ${ratio(x.ours_over_pbjs)} | ${ratio(x.ours_over_floor)} | ${f2(x.ours_over_raw.median)} |`);
      if (T.replay_ours_over_pbjs != null) {
        targets.push(target(`replay ${name} ≥ ${T.replay_ours_over_pbjs}× pure JS (median paired ratio)`, x.ours_over_pbjs.median, T.replay_ours_over_pbjs, true));
        targets.push(target(`replay ${name} ≥ ${T.replay_ours_over_floor}× parse floor (median paired ratio)`, x.ours_over_floor.median, T.replay_ours_over_floor, true));
      }
    }
    out.push("");
    out.push(`Paired ratios per round: ${["256", "16384"].map((size) => `${size === "256" ? "256 B" : "16 KiB"} ours / pure JS ${list(s[size].ours_over_pbjs.rounds)}, ours / floor ${list(s[size].ours_over_floor.rounds)}`).join("; ")}.`);
    if (r.replay.queue_message) out.push(`A \`queue_message\` call (options read, encoded, sent to the stand-in): ${f2(r.replay.queue_message.full_us.median)} µs with 13 options, ${f2(r.replay.queue_message.minimal_us.median)} µs with 2.`);
    out.push("");
  }
  if (r.throughput) {
    const s = r.throughput.summary;
    out.push(`**Throughput** — messages/s delivered to a queue callback; ${r.live ? "the consumer is registered, then a node sender pushes queuemessages as fast as the server accepts them" : "a node sender fills the queue as fast as the server accepts queuemessages, then the consumer registers and the server writes the backlog"}; ${r.counts.rounds} rounds; in each round ours, raw and pure JS run back to back (order rotated), and the ratios are paired per round: median (min–max) of the per-round ratios. *raw* = plain WebSocket that only reads frame lengths (the ceiling); *pure JS* = protobufjs client of the same protocol (the approach of the old @openiap/jsapi, which is not on npm).`);
    out.push("");
    out.push("| payload | messages | ours | raw WebSocket (ceiling) | pure JS (protobufjs) | ours / raw | ours / pure JS | sender |");
    out.push("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const size of ["256", "16384"]) {
      const x = s[size];
      const rng = (v) => `${f0(v.median)} (${f0(v.min)}–${f0(v.max)})`;
      out.push(`| ${size === "256" ? "256 B" : "16 KiB"} JSON | ${f0(x.count)} | ${rng(x.ours)} | ${rng(x.raw)} | ${rng(x.pbjs)} | ${f2(x.ours_over_raw.median)} (${f2(x.ours_over_raw.min)}–${f2(x.ours_over_raw.max)}) | ${f2(x.ours_over_pbjs.median)} (${f2(x.ours_over_pbjs.min)}–${f2(x.ours_over_pbjs.max)}) | ${f0(x.sender_median)} |`);
      const name = size === "256" ? "256 B" : "16 KiB";
      // Issue 22's targets name the phase (tp_...); older results have issue 15's.
      if (T.ours_over_raw != null) targets.push(target(`throughput ${name} ≥ ${T.ours_over_raw}× raw (median paired ratio)`, x.ours_over_raw.median, T.ours_over_raw, true));
      const tp = T.tp_ours_over_pbjs ?? T.ours_over_pbjs;
      targets.push(target(`throughput ${name} ≥ ${tp}× pure JS (median paired ratio)`, x.ours_over_pbjs.median, tp, true));
    }
    out.push("");
    if (s["256"].ours_over_raw.rounds) {
      out.push("Paired ratios per round (round 1 … n):");
      out.push("");
      out.push("| payload | ours / raw | ours / pure JS |");
      out.push("|---|---|---|");
      for (const size of ["256", "16384"]) out.push(`| ${size === "256" ? "256 B" : "16 KiB"} | ${list(s[size].ours_over_raw.rounds)} | ${list(s[size].ours_over_pbjs.rounds)} |`);
      out.push("");
    }
    if (s["256"].json_parse_us !== undefined) {
      // What bounds the targets: the raw receiver neither decodes nor parses, and the pure-JS
      // client's own ratio to it caps what 1.1× pure JS can mean.
      const floor = (size) => {
        const x = s[size], period = 1e6 / x.raw.median;
        const tp = T.tp_ours_over_pbjs ?? T.ours_over_pbjs;
        return `${size === "256" ? "256 B" : "16 KiB"}: JSON.parse of the payload alone ${f1(x.json_parse_us)} µs (hot loop, same page) = ${f0((x.json_parse_us / period) * 100)} % of the raw receiver's ${f0(period)} µs per message; pure JS ran at ${f2(x.pbjs_over_raw.median)}× raw, so ${tp}× pure JS means ${f2(tp * x.pbjs_over_raw.median)}× raw`;
      };
      out.push(`Floors (medians of the same rounds): ${floor("256")}; ${floor("16384")}.`);
      out.push("");
    }
  }
  if (r.latency) {
    const l = r.latency;
    const paired = typeof l.ours_over_raw_p50 === "object";
    out.push(`**Latency** — sequential round trips in the same page, ${l.ours.n} each${paired ? ` in ${r.counts.latRounds} rounds (every variant back to back in each round, order rotated)` : ", interleaved"}: \`client.rpc()\` through a node echo responder, the same queuemessage → reply exchange on a raw WebSocket (frames counted, not decoded)${l.pbjs ? ", the same with the pure-JS client (decoded, data parsed)" : ""}, and a plain WebSocket echo (no OpenIAP server) as the floor.${l.resolution_ms != null ? ` performance.now() step: ${l.resolution_ms} ms (page ${l.cross_origin_isolated ? "" : "not "}cross-origin isolated).` : ""}`);
    out.push("");
    out.push("| round trip | p50 | p99 | mean |");
    out.push("|---|---:|---:|---:|");
    out.push(`| ours: rpc | ${f3(l.ours.p50_ms)} ms | ${f3(l.ours.p99_ms)} ms | ${f3(l.ours.mean_ms)} ms |`);
    out.push(`| raw WebSocket, same exchange | ${f3(l.raw.p50_ms)} ms | ${f3(l.raw.p99_ms)} ms | ${f3(l.raw.mean_ms)} ms |`);
    if (l.pbjs) out.push(`| pure JS (protobufjs), same exchange | ${f3(l.pbjs.p50_ms)} ms | ${f3(l.pbjs.p99_ms)} ms | ${f3(l.pbjs.mean_ms)} ms |`);
    out.push(`| plain WebSocket echo | ${f3(l.ws_echo.p50_ms)} ms | ${f3(l.ws_echo.p99_ms)} ms | ${f3(l.ws_echo.mean_ms)} ms |`);
    const p50 = paired ? l.ours_over_raw_p50.median : l.ours_over_raw_p50;
    out.push(`| ours / raw | ${f2(p50)}${paired ? ` (median of per-round p50 ratios, ${f2(l.ours_over_raw_p50.min)}–${f2(l.ours_over_raw_p50.max)})` : ""} | ${f2(l.ours_over_raw_p99)} | |`);
    if (l.ours_over_pbjs_p50) out.push(`| ours / pure JS | ${f2(l.ours_over_pbjs_p50.median)} (${f2(l.ours_over_pbjs_p50.min)}–${f2(l.ours_over_pbjs_p50.max)}) | | |`);
    out.push("");
    if (paired) {
      out.push(`rpc p50 ours / raw per round: ${list(l.ours_over_raw_p50.rounds)}; ours p50 per round (ms): ${l.ours.rounds_p50_ms.map(f3).join(" ")}; raw: ${l.raw.rounds_p50_ms.map(f3).join(" ")}.`);
      out.push("");
    }
    targets.push(target(`rpc p50 ≤ ${T.rpc_p50_over_raw}× raw (median paired ratio)`, p50, T.rpc_p50_over_raw, false));
    if (T.rpc_p50_over_pbjs != null && l.ours_over_pbjs_p50) targets.push(target(`rpc p50 ≤ ${T.rpc_p50_over_pbjs}× pure JS (median paired ratio)`, l.ours_over_pbjs_p50.median, T.rpc_p50_over_pbjs, false));
  }
  if (r.reconnect) {
    const c = r.reconnect;
    out.push("**Reconnect**");
    out.push("");
    out.push("| what | n | p50 | min–max |");
    out.push("|---|---:|---:|---:|");
    out.push(`| server back (after /down 1000 ms) → SignedIn, backoff initial 50 ms, max 300 ms | ${c.fast_backoff.n} | ${f0(c.fast_backoff.p50_ms)} ms | ${f0(c.fast_backoff.min_ms)}–${f0(c.fast_backoff.max_ms)} ms |`);
    out.push(`| server back → SignedIn, default backoff (500 ms doubling, equal jitter) | ${c.default_backoff.n} | ${f0(c.default_backoff.p50_ms)} ms | ${f0(c.default_backoff.min_ms)}–${f0(c.default_backoff.max_ms)} ms |`);
    out.push(`| half-open link (/stall) → Disconnected, heartbeat_ms ${c.half_open.heartbeat_ms} + heartbeat_timeout_ms ${c.half_open.heartbeat_timeout_ms} | ${c.half_open.n} | ${f0(c.half_open.p50_ms)} ms | ${f0(c.half_open.min_ms)}–${f0(c.half_open.max_ms)} ms |`);
    out.push("");
  }
  if (r.deadlink) {
    const d = r.deadlink;
    const row = (what, x) => `| ${what} | ${f0(x.idle_ms / 1000)} s | ${f0(x.idle_sends)}${x.received_by_command ? ` (server received: ${Object.entries(x.received_by_command).map(([k, v]) => `${k} ×${v}`).join(", ") || "nothing"})` : ""} | ${f0(x.stalled_sends)} | ${f0(x.detect_ms)} ms |`;
    out.push(`**Dead link** — default options (heartbeat_ms 30,000 + heartbeat_timeout_ms 10,000), a half-open link (/stall: the socket stays open, nothing is read or sent) after an idle period. The pinging server is the test server with its defaults: a ping at connect and every ${f0(d.ping_interval_ms)} ms, as OpenFlow. Client → server frames are counted in the page (WebSocket.send calls).`);
    out.push("");
    out.push("| link | idle before the stall | client frames while idle | client frames during the stall | stall → Disconnected |");
    out.push("|---|---:|---:|---:|---:|");
    d.pinging.forEach((x, i) => out.push(row(`server pings every 10 s (#${i + 1})`, x)));
    for (const x of d.silent || []) out.push(row("server never pings (probe after 30 s of silence)", x));
    out.push("");
    targets.push(target(`dead link found within ${f0(T.dead_link_ms / 1000)} s, server pinging (worst of ${d.pinging.length})`, d.max_ms, T.dead_link_ms, false, f0, " ms"));
    const extra = d.pinging.reduce((a, x) => a + x.idle_sends - ((x.received_by_command || {}).pong || 0) + x.stalled_sends, 0);
    targets.push(["no client traffic besides pongs while the server pings (frames: idle − pongs + during stall)", f0(extra), extra === 0, ""]);
  }
  if (r.memory) {
    const x = r.memory;
    const partial = x.messages < x.planned.messages || x.reconnect_cycles < x.planned.reconnect_cycles;
    out.push(`**Memory** — one consumer client; after gc. Warm-up: ${f0(r.counts.memWarm)} messages. Then ${f0(x.messages)} messages of 256 B (${f0(x.messages_ms / 1000)} s) and ${f0(x.reconnect_cycles)} reconnect cycles (/drop → SignedIn, ${f0(x.cycles_ms / 1000)} s), then 10,000 more messages to check the queue still works${partial ? ` (**planned ${f0(x.planned.messages)} messages and ${f0(x.planned.reconnect_cycles)} cycles: only these fit in the time budget**)` : ""}.`);
    out.push("");
    out.push("| | after warm-up | after messages + reconnects | ratio |");
    out.push("|---|---:|---:|---:|");
    out.push(`| wasm linear memory | ${mb(x.warm_up.wasm_memory)} | ${mb(x.after.wasm_memory)} | ${f2(x.wasm_ratio)} |`);
    out.push(`| JS heap (usedJSHeapSize, whole page) | ${mb(x.warm_up.js_heap)} | ${mb(x.after.js_heap)} | ${f2(x.js_heap_ratio)} |`);
    out.push(`| externref table slots | ${f0(x.warm_up.externrefs)} | ${f0(x.after.externrefs)} | |`);
    out.push(`| client counters (debug_counts, nonzero) | ${counts(x.warm_up.counts)} | ${counts(x.after.counts)} | |`);
    out.push("");
    targets.push(["memory after messages + reconnects ≤ 1.1× warm-up (wasm, JS heap)", `${f2(x.wasm_ratio)}, ${f2(x.js_heap_ratio)}`, x.wasm_ratio <= 1.1 && x.js_heap_ratio <= 1.1, ""]);
  }
  if (r.soak) {
    const s = r.soak;
    out.push(`**Soak** — ${s.minutes} min, our client as sender (${s.rate} msg/s) and as consumer, random faults every 2–6 s (${Object.entries(s.faults).map(([k, v]) => `${k} ×${v}`).join(", ")}); heartbeat 1000 + 1000 ms.`);
    out.push("");
    out.push("| sent | acknowledged | rejected (kinds) | rejected but delivered | received (unique) | lost (acknowledged, never received) | duplicated | wasm memory after / warm-up | JS heap after / warm-up |");
    out.push("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    out.push(`| ${f0(s.sent)} | ${f0(s.acked)} | ${f0(s.failed)} (${Object.entries(s.errors).map(([k, v]) => `${k} ${v}`).join(", ") || "–"}) | ${f0(s.failed_but_delivered)} | ${f0(s.received_unique)} | ${f0(s.lost)} | ${f0(s.duplicated)} | ${f2(s.memory.wasm_ratio)} | ${f2(s.memory.js_heap_ratio)} |`);
    out.push("");
    targets.push(["soak: zero lost", f0(s.lost), s.lost === 0]);
    targets.push(["soak: zero duplicated", f0(s.duplicated), s.duplicated === 0]);
    targets.push(["memory after the soak ≤ 1.1× warm-up (wasm, JS heap)", `${f2(s.memory.wasm_ratio)}, ${f2(s.memory.js_heap_ratio)}`, s.memory.wasm_ratio <= 1.1 && s.memory.js_heap_ratio <= 1.1]);
  }
  if (r.size) {
    out.push("**Size** — every build target in pkg/ (wasm-pack --release + wasm-opt), gzip -9 and brotli q11.");
    out.push("");
    out.push("| target | file | raw | gzip | brotli |");
    out.push("|---|---|---:|---:|---:|");
    for (const f of r.size.files) out.push(`| ${f.target} | ${f.file} | ${kb(f.raw)} | ${kb(f.gzip)} | ${kb(f.brotli)} |`);
    out.push("");
  }
  if (targets.length) {
    out.push("**Targets**");
    out.push("");
    out.push("| target | measured | | |");
    out.push("|---|---:|---|---|");
    for (const [t, v, b, by = ""] of targets) out.push(`| ${t} | ${v} | ${ok(b)} | ${by} |`);
    out.push("");
  }
  if (r.profile) {
    out.push("**Where the time goes** (Chromium CPU profile of one throughput run, self time)");
    out.push("");
    for (const [k, p] of Object.entries(r.profile)) {
      out.push(`- ${k.replace("_", ", ")} B (${f0(p.per_s)} msg/s while profiled, ${f0(p.total_ms)} ms sampled): ` +
        Object.entries(p.categories).map(([c, v]) => `${c} ${f2(v.pct)}%`).join(", "));
      out.push(`  - top: ${p.top.slice(0, 8).map((t) => `\`${t.fn}\` ${f2(t.pct)}%`).join(", ")}`);
    }
    out.push("");
  }
  const notes = new URL("./notes.md", import.meta.url);
  if (!r.quick && fs.existsSync(notes)) {
    out.push(fs.readFileSync(notes, "utf8").trim());
    out.push("");
  }
  return out.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] || new URL("./results.json", import.meta.url);
  process.stdout.write(report(JSON.parse(fs.readFileSync(file, "utf8"))));
}
