// Times the wasm32 build of the routing workloads in Node and prints the same table as the
// native `cargo bench --bench routing -- --table`.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { Workload } = require(process.argv[2] ?? "./pkg/routing_bench_wasm.js");

const budgetMs = 700;
const rows = [
  ["topic", 10], ["topic", 1000], ["topic", 10000], ["topic", 100000],
  ["fanout", 1000], ["headers", 1000],
];
console.log("| workload | bindings | decisions/s | ns/decision | destinations/decision |");
console.log("|---|---:|---:|---:|---:|");
for (const [kind, n] of rows) {
  const w = new Workload(kind, n);
  const batch = w.batch();
  const found = w.run(1); // warm-up, and the destinations of one batch
  // Best of 7 rounds, as the native table does: the machine is shared.
  let perS = 0;
  for (let round = 0; round < 7; round++) {
    let runs = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < budgetMs / 7) {
      w.run(1);
      runs += 1;
      elapsed = performance.now() - start;
    }
    perS = Math.max(perS, (runs * batch) / (elapsed / 1000));
  }
  console.log(`| ${kind} | ${n} | ${(perS / 1e6).toFixed(2)} M | ${(1e9 / perS).toFixed(0)} | ${(found / batch).toFixed(2)} |`);
  w.free();
}
