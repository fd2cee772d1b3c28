// Times the wasm32 build of the routing workloads in Node and prints the same table as the
// native `cargo bench --bench routing -- --table`, measured the same way: every chunk of keys
// (or messages) timed many times, keeping each chunk's fastest run (the machine is shared).
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { Workload } = require(process.argv[2] ?? "./pkg/routing_bench_wasm.js");

const budgetMs = 700;
const sizes = [10, 1000, 10000, 100000];
const rows = [
  ...sizes.map((n) => ["topic", n, "topic"]),
  ...sizes.map((n) => ["literal-topic", n, "topic, literal keys only"]),
  ["fanout", 1000, "fanout"],
  ["headers", 1000, "headers"],
];
console.log("| workload | bindings | decisions/s | ns/decision | destinations/decision |");
console.log("|---|---:|---:|---:|---:|");
for (const [kind, n, name] of rows) {
  const w = new Workload(kind, n);
  const chunks = w.chunks();
  let found = 0;
  for (let i = 0; i < chunks; i++) found += w.run_chunk(i);
  const best = new Array(chunks).fill(Infinity);
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    for (let i = 0; i < chunks; i++) {
      const t = performance.now();
      w.run_chunk(i);
      best[i] = Math.min(best[i], performance.now() - t);
    }
  }
  const ns = (best.reduce((a, b) => a + b, 0) * 1e6) / w.decisions();
  const perS = 1e9 / ns;
  console.log(`| ${name} | ${n} | ${(perS / 1e6).toFixed(2)} M | ${ns.toFixed(0)} | ${(found / w.decisions()).toFixed(2)} |`);
  w.free();
}
