import { compareSchema, parseLocatedYaml, resolveCompareSettings, validateLocated } from "@llmops/core";
import { describe, expect, it } from "vitest";

const parse = (yaml: string) => validateLocated(parseLocatedYaml(yaml, "llmops.yaml"), compareSchema);

describe("compare: config section", () => {
  it("accepts the three baseline sources", () => {
    expect(parse("baseline: { alias: production, artifact: sentiment-model }").baseline).toEqual({
      alias: "production",
      artifact: "sentiment-model",
    });
    expect(parse("baseline: { branch: true }").baseline).toEqual({ branch: true });
    expect(parse("baseline: { file: results/base }").baseline).toEqual({ file: "results/base" });
  });

  it("names file, line and what was expected for an alias without its artifact", () => {
    expect(() => parse("noBaseline: fail\nbaseline:\n  alias: production\n")).toThrow(
      "llmops.yaml:3:3: baseline.artifact: Invalid input: expected string, received undefined",
    );
  });

  it("refuses unknown keys and a gate with no rule", () => {
    expect(() => parse("gates:\n  pass_rate: { maxDorp: 0.1 }\n")).toThrow(
      'llmops.yaml:2:16: gates.pass_rate.maxDorp: unknown key "maxDorp"',
    );
    expect(() => parse("gates:\n  pass_rate: {}\n")).toThrow(
      /gates\.pass_rate: expected at least one of maxDrop, maxRelativeDrop, noSignificantRegression/,
    );
    expect(() => parse("alpha: 1.5\n")).toThrow(/alpha/);
    expect(() => parse("noBaseline: maybe\n")).toThrow(/noBaseline/);
  });

  it("fills defaults and applies per-suite overrides, merging gates by metric", () => {
    const config = parse(`
alpha: 0.1
maxCostIncrease: 0.2
gates:
  pass_rate: { maxDrop: 0.02 }
  score: { noSignificantRegression: { alpha: 0.01 } }
suites:
  sentiment:
    noBaseline: fail
    gates:
      pass_rate: { maxRelativeDrop: 0.1 }
`);
    expect(resolveCompareSettings(config, "other")).toEqual({
      noBaseline: "pass",
      alpha: 0.1,
      resamples: 10_000,
      seed: 20_240_601,
      excerptLength: 240,
      maxCostIncrease: 0.2,
      gates: { pass_rate: { maxDrop: 0.02 }, score: { noSignificantRegression: { alpha: 0.01 } } },
    });
    expect(resolveCompareSettings(config, "sentiment")).toMatchObject({
      noBaseline: "fail",
      alpha: 0.1,
      gates: { pass_rate: { maxRelativeDrop: 0.1 }, score: { noSignificantRegression: { alpha: 0.01 } } },
    });
    expect(resolveCompareSettings(undefined, "x")).toMatchObject({ noBaseline: "pass", alpha: 0.05, gates: {} });
  });
});
