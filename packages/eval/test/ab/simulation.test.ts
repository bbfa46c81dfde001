// Simulated rollouts: what the anytime-valid judgement promises, checked by brute force.
//
// Every run is a canary split (10% of requests to the treatment, 90% to the control) looked at
// after every batch, the way a rollout is analysed. Each batch is drawn as exact binomial counts
// (see simulate). Seeded (mulberry32), so the numbers are the same on every run; they are printed
// and written to test-artifacts/ab/simulation.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { judgeSequential } from "../../src/ab/index.ts";
import { createRng, differenceConfidenceSequence, twoProportionZTest, wilsonInterval } from "../../src/stats/index.ts";

const ALPHA = 0.05;
const TREATMENT_SHARE = 0.1;
const report: Record<string, unknown> = {};

afterAll(() => {
  const dir = fileURLToPath(new URL("../../../../test-artifacts/ab/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}simulation.json`, `${JSON.stringify(report, null, 2)}\n`);
});

interface Counts {
  control: { n: number; successes: number };
  treatment: { n: number; successes: number };
}

/**
 * A Binomial(n, p) draw by inversion (Kachitvichyanukul & Schmeiser, "Binomial random variate
 * generation", CACM 31 (1988), algorithm BINV): exact, one uniform, about n·min(p, 1 − p) steps.
 */
function binomial(random: () => number, n: number, p: number): number {
  if (p > 0.5) return n - binomial(random, n, 1 - p);
  if (n === 0 || p === 0) return 0;
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  let r = q ** n; // n·log q > −700 for the batch sizes here, so no underflow
  let u = random();
  let x = 0;
  while (u > r && x < n) {
    u -= r;
    x++;
    r *= a / x - s;
  }
  return x;
}

/**
 * Runs `runs` rollouts of `batches` batches of `batchSize` requests; `look` sees the running counts
 * after each batch and returns true to stop that run. A batch is drawn as binomial counts (how many
 * requests went to the treatment, how many of each variant's succeeded), which has exactly the
 * distribution of drawing the requests one by one, at a fifth of the cost.
 */
function simulate(
  seed: number,
  runs: number,
  batches: number,
  batchSize: number,
  rates: { control: number; treatment: number },
  look: (counts: Counts, run: number, batch: number) => boolean,
): void {
  const random = createRng(seed);
  for (let run = 0; run < runs; run++) {
    const counts: Counts = { control: { n: 0, successes: 0 }, treatment: { n: 0, successes: 0 } };
    for (let batch = 1; batch <= batches; batch++) {
      const toTreatment = binomial(random, batchSize, TREATMENT_SHARE);
      counts.treatment.n += toTreatment;
      counts.treatment.successes += binomial(random, toTreatment, rates.treatment);
      counts.control.n += batchSize - toTreatment;
      counts.control.successes += binomial(random, batchSize - toTreatment, rates.control);
      if (look(counts, run, batch)) break;
    }
  }
}

function rate(hits: number, runs: number) {
  const { low, high } = wilsonInterval(hits, runs, 0.95);
  return { rate: hits / runs, wilson95: [low, high], hits, runs };
}

const proportion = (c: { n: number; successes: number }) => ({ kind: "proportion" as const, ...c });

describe("the batch sampler", () => {
  it("draws binomial counts with the right mean and variance", () => {
    // 20,000 draws of Binomial(450, 0.1) and of Binomial(50, 0.9): n·p, n·p·(1 − p) within 4 standard errors.
    const random = createRng(9);
    for (const [n, p] of [
      [450, 0.1],
      [50, 0.9],
    ] as const) {
      const draws = Array.from({ length: 20_000 }, () => binomial(random, n, p));
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1);
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(mean - n * p)).toBeLessThan((4 * sd) / Math.sqrt(draws.length));
      expect(Math.abs(variance / (n * p * (1 - p)) - 1)).toBeLessThan(4 * Math.sqrt(2 / draws.length));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThanOrEqual(n);
    }
  });
});

describe("A/A: two identical variants, analysed after every batch", () => {
  // 2,000 rollouts of 40 looks at 500 requests each (20,000 requests, 2,000 of them to the treatment).
  const RUNS = 2000;
  const LOOKS = 40;
  const BATCH = 500;

  for (const scenario of [
    { label: "success rate 0.90, higher is better", p: 0.9, direction: "higher" as const, seed: 1 },
    { label: "error rate 0.01, lower is better", p: 0.01, direction: "lower" as const, seed: 2 },
  ]) {
    it(`${scenario.label}: the sequence's false-alarm rate stays at alpha; repeated z-tests exceed it`, () => {
      let csExcludedZero = 0;
      let judgedFail = 0;
      let naiveRejected = 0;
      let lastRun = -1;
      const hit = { cs: -1, fail: -1, naive: -1 };
      simulate(scenario.seed, RUNS, LOOKS, BATCH, { control: scenario.p, treatment: scenario.p }, (counts, run) => {
        if (run !== lastRun) lastRun = run;
        if (counts.treatment.n === 0 || counts.control.n === 0) return false;
        if (hit.cs !== run) {
          const cs = differenceConfidenceSequence(proportion(counts.control), proportion(counts.treatment), ALPHA);
          if (cs.low > 0 || cs.high < 0) {
            csExcludedZero++;
            hit.cs = run;
          }
        }
        if (hit.fail !== run) {
          const j = judgeSequential(proportion(counts.control), proportion(counts.treatment), {
            direction: scenario.direction,
            noWorseThan: 0,
            alpha: ALPHA,
          });
          if (j.status === "fail") {
            judgedFail++;
            hit.fail = run;
          }
        }
        if (hit.naive !== run && twoProportionZTest(counts.control, counts.treatment).pValue < ALPHA) {
          naiveRejected++;
          hit.naive = run;
        }
        return false;
      });
      const result = {
        runs: RUNS,
        looks: LOOKS,
        requestsPerLook: BATCH,
        treatmentShare: TREATMENT_SHARE,
        alpha: ALPHA,
        sequenceExcludedZeroAtAnyLook: rate(csExcludedZero, RUNS),
        judgedFailAtAnyLook: rate(judgedFail, RUNS),
        naiveZTestRejectedAtAnyLook: rate(naiveRejected, RUNS),
      };
      report[`A/A ${scenario.label}`] = result;
      console.log(`A/A ${scenario.label}: ${JSON.stringify(result)}`);
      // The sequence is asymptotically valid at every look, so the share of runs in which it ever
      // excludes the true difference (0) must not exceed alpha beyond simulation error: with 2,000
      // runs the standard error of a rate near 0.05 is 0.0049, and 0.01 is two of them.
      expect(csExcludedZero / RUNS).toBeLessThanOrEqual(ALPHA + 0.01);
      // A fail needs the one-sided half of that event, so it is rarer still.
      expect(judgedFail).toBeLessThanOrEqual(csExcludedZero);
      // Forty peeks at a fixed-horizon test: the well-known inflation (Armitage, McPherson & Rowe 1969).
      expect(naiveRejected / RUNS).toBeGreaterThan(2 * ALPHA);
    });
  }
});

describe("validity where the variants differ", () => {
  const RUNS = 1000;
  const LOOKS = 40;
  const BATCH = 500;
  // 1,000 runs: the standard error of a rate near 0.05 is 0.0069; the bounds allow two of them.
  const bound = ALPHA + 0.014;

  it("covers a true difference of +0.01 (error rate 0.01 -> 0.02) at every look", () => {
    let missed = 0;
    let hitRun = -1;
    simulate(4, RUNS, LOOKS, BATCH, { control: 0.01, treatment: 0.02 }, (counts, run) => {
      if (hitRun === run || counts.treatment.n === 0) return hitRun === run;
      const cs = differenceConfidenceSequence(proportion(counts.control), proportion(counts.treatment), ALPHA);
      if (cs.low > 0.01 || cs.high < 0.01) {
        missed++;
        hitRun = run;
        return true;
      }
      return false;
    });
    report["coverage at +0.01 (0.01 -> 0.02)"] = { runs: RUNS, looks: LOOKS, requestsPerLook: BATCH, missedAtAnyLook: rate(missed, RUNS) };
    console.log(`coverage at +0.01: ${JSON.stringify(rate(missed, RUNS))}`);
    expect(missed / RUNS).toBeLessThanOrEqual(bound);
  });

  it("fails a treatment exactly at the margin (0.90 -> 0.88, noWorseThan 0.02) no more often than alpha", () => {
    let failed = 0;
    let hitRun = -1;
    simulate(5, RUNS, LOOKS, BATCH, { control: 0.9, treatment: 0.88 }, (counts, run) => {
      if (hitRun === run || counts.treatment.n === 0) return hitRun === run;
      const j = judgeSequential(proportion(counts.control), proportion(counts.treatment), {
        direction: "higher",
        noWorseThan: 0.02,
        alpha: ALPHA,
      });
      if (j.status === "fail") {
        failed++;
        hitRun = run;
        return true;
      }
      return false;
    });
    report["fail at the margin (0.90 -> 0.88, noWorseThan 0.02)"] = {
      runs: RUNS,
      looks: LOOKS,
      requestsPerLook: BATCH,
      failedAtAnyLook: rate(failed, RUNS),
    };
    console.log(`fail at the margin: ${JSON.stringify(rate(failed, RUNS))}`);
    expect(failed / RUNS).toBeLessThanOrEqual(bound);
  });
});

describe("power: a real 3-point drop (0.90 -> 0.87) with noWorseThan 0", () => {
  it("is caught (fail) in at least 90% of rollouts within 60,000 requests", () => {
    const RUNS = 1000;
    const BATCH = 500;
    const MAX_REQUESTS = 60_000;
    const needed: number[] = [];
    simulate(3, RUNS, MAX_REQUESTS / BATCH, BATCH, { control: 0.9, treatment: 0.87 }, (counts, _run, batch) => {
      if (counts.treatment.n === 0) return false;
      const j = judgeSequential(proportion(counts.control), proportion(counts.treatment), {
        direction: "higher",
        noWorseThan: 0,
        alpha: ALPHA,
      });
      if (j.status === "fail") {
        needed.push(batch * BATCH);
        return true;
      }
      return false;
    });
    needed.sort((a, b) => a - b);
    const median = needed.length ? needed[Math.floor((needed.length - 1) / 2)] : undefined;
    const result = {
      runs: RUNS,
      treatmentShare: TREATMENT_SHARE,
      requestsPerLook: BATCH,
      maxRequests: MAX_REQUESTS,
      caught: rate(needed.length, RUNS),
      medianRequestsToCatch: median,
      p10RequestsToCatch: needed[Math.floor(0.1 * (needed.length - 1))],
      p90RequestsToCatch: needed[Math.floor(0.9 * (needed.length - 1))],
    };
    report["power 0.90 -> 0.87"] = result;
    console.log(`power 0.90 -> 0.87: ${JSON.stringify(result)}`);
    expect(needed.length / RUNS).toBeGreaterThanOrEqual(0.9);
  });
});
