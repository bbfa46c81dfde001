import { readFileSync } from "node:fs";
import { InputError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { type Criteria, judgementSchema, judgeSequential, type Sample, SampleKindMismatchError } from "../../src/ab/index.ts";
import { differenceConfidenceSequence } from "../../src/stats/index.ts";

// Beta-binomial sequence ends computed from the martingale with scipy (fixtures/stats/make_sequential_fixtures.py).
const reference = JSON.parse(readFileSync(new URL("../fixtures/stats/sequential.json", import.meta.url), "utf8")) as {
  betaBinomial: { successes: number; n: number; alpha: number; low: number; high: number }[];
};
function sequenceOf(successes: number, n: number, alpha: number) {
  const found = reference.betaBinomial.find((r) => r.successes === successes && r.n === n && r.alpha === alpha);
  if (!found) throw new Error(`no fixture for ${successes}/${n} at ${alpha}`);
  return found;
}

const p = (successes: number, n: number): Sample => ({ kind: "proportion", n, successes });
const m = (n: number, mean: number, variance: number): Sample => ({ kind: "mean", n, mean, variance });
const v = (value: number): Sample => ({ kind: "value", value });
const judge = (control: Sample | null, treatment: Sample | null, criteria: Partial<Criteria>) => {
  const judgement = judgeSequential(control, treatment, { direction: "higher", alpha: 0.05, ...criteria });
  // Every judgement is a valid, storable record.
  expect(judgementSchema.parse(judgement)).toEqual(judgement);
  return judgement;
};

describe("judgeSequential: the treatment's own value (max, min)", () => {
  // 120 errors in 5,000: anytime-valid 99% interval [0.01589, 0.03441] (scipy).
  const errors = p(120, 5000);
  const ends = sequenceOf(120, 5000, 0.01);

  it("fails when the whole interval is above max, with the interval in the reason", () => {
    const j = judge(null, errors, { name: "error_rate", direction: "lower", max: 0.01, alpha: 0.01 });
    expect(j.status).toBe("fail");
    expect(j.method).toBe("sequential");
    expect(j.treatment?.n).toBe(5000);
    expect(j.treatment?.value).toBeCloseTo(0.024, 15);
    expect(j.treatment?.low).toBeCloseTo(ends.low, 9);
    expect(j.treatment?.high).toBeCloseTo(ends.high, 9);
    expect(j.reasons).toEqual(["error_rate 0.024 [0.01589, 0.03441] is above max 0.01"]);
  });
  it("passes when the whole interval is at most max, and is inconclusive when it straddles max", () => {
    expect(judge(null, errors, { direction: "lower", max: 0.035, alpha: 0.01 }).status).toBe("pass");
    const straddles = judge(null, errors, { direction: "lower", max: 0.03, alpha: 0.01 });
    expect(straddles.status).toBe("inconclusive");
    expect(straddles.reasons[0]).toContain("includes max 0.03");
  });
  it("judges min the mirror way", () => {
    // 9,000 of 10,000: 95% interval [0.8877, 0.9115].
    const success = p(9000, 10000);
    expect(judge(null, success, { min: 0.85 }).status).toBe("pass");
    expect(judge(null, success, { min: 0.95 }).status).toBe("fail");
    expect(judge(null, success, { min: 0.9 }).status).toBe("inconclusive");
  });
  it("splits alpha between the value and the difference when both are judged (Bonferroni)", () => {
    const j = judge(p(200, 10000), errors, { direction: "lower", max: 0.01, noWorseThan: 0.005, alpha: 0.02 });
    expect(j.intervalAlpha).toBe(0.01);
    expect(j.treatment?.low).toBeCloseTo(ends.low, 9);
    expect(j.treatment?.high).toBeCloseTo(ends.high, 9);
    const alone = judge(p(200, 10000), errors, { direction: "lower", max: 0.01, alpha: 0.02 });
    expect(alone.intervalAlpha).toBe(0.02);
  });
});

describe("judgeSequential: the difference (noWorseThan)", () => {
  it("fails a clearly worse treatment (higher is better) and shows the difference interval", () => {
    const control = p(9000, 10000);
    const treatment = p(800, 1000);
    const j = judge(control, treatment, { name: "pass_rate", noWorseThan: 0.01 });
    const expected = differenceConfidenceSequence(
      { kind: "proportion", n: 10000, successes: 9000 },
      { kind: "proportion", n: 1000, successes: 800 },
      0.05,
    );
    expect(j.difference).toEqual({ estimate: expected.estimate, low: expected.low, high: expected.high });
    expect(j.difference!.high).toBeLessThan(-0.01);
    expect(j.status).toBe("fail");
    expect(j.reasons[0]).toMatch(/^pass_rate treatment - control -0\.1 \[-0\.1\d+, -0\.0\d+\] is below -0\.01 \(noWorseThan 0\.01\)$/);
  });
  it("passes a treatment whose whole interval is above -margin, and waits when it straddles", () => {
    expect(judge(p(9000, 10000), p(9050, 10000), { noWorseThan: 0.02 }).status).toBe("pass");
    expect(judge(p(9000, 10000), p(895, 1000), { noWorseThan: 0.01 }).status).toBe("inconclusive");
  });
  it("mirrors for lower-is-better: a higher error rate beyond the margin fails", () => {
    const j = judge(p(100, 10000), p(60, 2000), { direction: "lower", noWorseThan: 0.005 });
    expect(j.status).toBe("fail");
    expect(j.reasons[0]).toContain("is above +0.005");
    expect(judge(p(100, 10000), p(18, 2000), { direction: "lower", noWorseThan: 0.01 }).status).toBe("pass");
  });
  it("does not pass a canary on a handful of requests without errors", () => {
    // 0 of 10 with a 1% margin: the smoothed variance keeps the interval honest.
    expect(judge(p(100, 10000), p(0, 10), { direction: "lower", noWorseThan: 0.01 }).status).toBe("inconclusive");
  });
  it("judges means with the normal-mixture intervals", () => {
    const j = judge(m(5000, 200, 400), m(800, 260, 900), { name: "latency_ms", direction: "lower", noWorseThan: 10 });
    expect(j.status).toBe("fail");
    expect(j.treatment?.n).toBe(800);
    expect(j.treatment!.low!).toBeLessThan(260);
  });
  it("leaves the interval unbounded, and the difference out, for a mean of one value", () => {
    const j = judge(m(5000, 200, 400), m(1, 180, 0), { direction: "lower", noWorseThan: 10, max: 1000 });
    expect(j.status).toBe("inconclusive");
    expect(j.treatment).toEqual({ n: 1, value: 180 });
    expect(j.difference).toBeUndefined();
    expect(j.reasons).toEqual([
      "metric 180 [-inf, inf] includes max 1000: not decided yet",
      "metric treatment - control -20 [-inf, inf] includes +10 (noWorseThan 10): not decided yet",
    ]);
  });
});

describe("judgeSequential: missing data", () => {
  it("is no-data when a needed sample is null or empty", () => {
    expect(judge(p(10, 100), null, { noWorseThan: 0 }).status).toBe("no-data");
    expect(judge(p(0, 0), p(10, 100), { noWorseThan: 0 }).reasons).toEqual(["metric: no data from the control yet"]);
    expect(judge(null, p(0, 0), { max: 0.5 }).status).toBe("no-data");
  });
  it("does not need the control to judge the treatment's own value", () => {
    expect(judge(null, p(0, 5000), { direction: "lower", max: 0.01 }).status).toBe("pass");
  });
  it("lets a failure on the treatment's own value stand while the control has no data", () => {
    const j = judge(null, p(120, 5000), { direction: "lower", max: 0.01, noWorseThan: 0 });
    expect(j.status).toBe("fail");
    expect(j.reasons[1]).toBe("metric: no data from the control yet");
  });
});

describe("judgeSequential: bare values (threshold)", () => {
  it("compares points with max, min and the margin; at the margin is within it", () => {
    const j = judge(v(0.01), v(0.034), { name: "error_rate", direction: "lower", max: 0.02, noWorseThan: 0.01 });
    expect(j.method).toBe("threshold");
    expect(j.intervalAlpha).toBe(0.05);
    expect(j.status).toBe("fail");
    expect(j.reasons).toEqual([
      "error_rate 0.034 is above max 0.02",
      "error_rate treatment - control +0.024 is above +0.01 (noWorseThan 0.01)",
    ]);
    expect(j.difference).toBeUndefined();
    expect(j.treatment).toEqual({ value: 0.034 });
    expect(judge(v(0.5), v(0.25), { direction: "higher", noWorseThan: 0.25 }).status).toBe("pass");
    expect(judge(v(0.5), v(0.2), { direction: "higher", noWorseThan: 0.25 }).status).toBe("fail");
    expect(judge(null, v(0.7), { min: 0.7 }).status).toBe("pass");
  });
});

describe("judgeSequential: bad input", () => {
  it("refuses mixed kinds with a clear message", () => {
    const attempt = () => judgeSequential(v(0.1), p(3, 100), { direction: "lower", max: 0.2, noWorseThan: 0, alpha: 0.05 });
    expect(attempt).toThrow(SampleKindMismatchError);
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow("the control is a value sample but the treatment a proportion sample");
  });
  it("refuses criteria without a criterion, with min above max, or with alpha outside (0, 1)", () => {
    expect(() => judgeSequential(null, p(1, 2), { direction: "higher", alpha: 0.05 })).toThrow("expected a criterion");
    expect(() => judgeSequential(null, p(1, 2), { direction: "higher", alpha: 0.05, min: 0.6, max: 0.5 })).toThrow(InputError);
    expect(() => judgeSequential(null, p(1, 2), { direction: "higher", alpha: 0, max: 1 })).toThrow(InputError);
  });
  it("refuses impossible samples", () => {
    expect(() => judgeSequential(null, p(5, 2), { direction: "higher", alpha: 0.05, max: 1 })).toThrow(InputError);
  });
});

describe("judgementSchema", () => {
  it("keeps records bounded: no infinities, at most 8 reasons of at most 400 characters", () => {
    const ok = judge(p(10, 100), p(12, 100), { noWorseThan: 0 });
    expect(judgementSchema.safeParse({ ...ok, reasons: Array(9).fill("x") }).success).toBe(false);
    expect(judgementSchema.safeParse({ ...ok, reasons: ["x".repeat(401)] }).success).toBe(false);
    expect(judgementSchema.safeParse({ ...ok, treatment: { n: 1, value: 1, high: Number.POSITIVE_INFINITY } }).success).toBe(false);
    expect(judgementSchema.safeParse({ ...ok, extra: 1 }).success).toBe(false);
  });
});
