/**
 * Benchmark of compareRuns: wall time on synthetic suites against the floor measured in the same
 * run — the bare bootstrap resampling the comparison cannot avoid (metrics × resamples × cases
 * seeded draws summed in a plain loop). Run: node_modules/.bin/node pnpm bench:compare
 */

import { compareRuns } from "../src/compare/index.ts";
import { createRng } from "../src/stats/index.ts";
import { run } from "../test/compare/helpers.ts";

function floorMs(draws: number): number {
  const random = createRng(1);
  const data = Float64Array.from({ length: 1024 }, (_, i) => i % 3);
  const start = performance.now();
  let sum = 0;
  for (let i = 0; i < draws; i++) sum += data[Math.floor(random() * 1024)] as number;
  if (sum < 0) console.log(sum); // keep the loop alive
  return performance.now() - start;
}

for (const n of [2_000, 10_000]) {
  const specs = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, pass: i % 3 !== 0, score: (i % 7) / 7, latencyMs: 100 + (i % 13) }));
  const baseline = run("bench", specs);
  const head = run(
    "bench",
    specs.map((s, i) => ({ ...s, pass: i % 4 !== 0, score: (i % 5) / 5, latencyMs: 100 + (i % 11) })),
  );
  const start = performance.now();
  const comparison = compareRuns({ head, baseline });
  const elapsed = performance.now() - start;
  const bootstrapped = comparison.metrics.filter((m) => m.ci.method === "bootstrap").length;
  const floor = floorMs(bootstrapped * 10_000 * n);
  console.log(
    `${n} cases, ${comparison.metrics.length} metrics (${bootstrapped} bootstrapped, 10,000 resamples): ${elapsed.toFixed(0)} ms; ` +
      `resampling floor ${floor.toFixed(0)} ms; ratio ${(elapsed / floor).toFixed(2)}x`,
  );
}
