import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, monitorKey } from "../src/index.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function load(monitor: string) {
  const dir = await mkdtemp(join(tmpdir(), "llmops-monitor-config-"));
  dirs.push(dir);
  const yaml = `artifacts:
  m: { kind: model, path: model }
environments:
  production:
    url: https://m.example.com
    monitor:
${monitor.replace(/^/gm, "      ")}
`;
  await writeFile(join(dir, "llmops.yaml"), yaml);
  return loadConfig(join(dir, "llmops.yaml"));
}

const error = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as ConfigError,
  );

describe("environments.<name>.monitor", () => {
  it("fills its defaults", async () => {
    const { config } = await load(`suite: s
sample: samples/today.jsonl
reference: { dataset: "d:v3", file: eval.jsonl }
features: [{ field: text, type: text }, { field: meta.channel, type: categorical }]`);
    expect(config.environments.production?.monitor).toEqual({
      suite: "s",
      timeoutMs: 600_000,
      sample: "samples/today.jsonl",
      reference: { dataset: "d:v3", file: "eval.jsonl" },
      features: [
        { field: "text", type: "text", bins: 10 },
        { field: "meta.channel", type: "categorical", bins: 10 },
      ],
      thresholds: { alpha: 0.01, psi: 0.2, oov: 0.1, minSamples: 30 },
      maxRecords: 100_000,
      alert: { issue: true },
    });
  });

  it("takes a list of monitors, one per suite", async () => {
    const { config } = await load("- { suite: quality }\n- { suite: safety, alert: { issue: false } }");
    const monitors = config.environments.production?.monitor as { suite?: string }[];
    expect(monitors.map(monitorKey)).toEqual(["quality", "safety"]);
    const twice = await error(load("- { suite: quality }\n- { suite: quality }"));
    expect(twice).toBeInstanceOf(ConfigError);
    expect(twice?.message).toMatch(
      /environments\.production\.monitor\[1\]\.suite: expected one monitor per suite; "quality" is also monitor\[0\]/,
    );
  });

  it("names what is missing or wrong at its line", async () => {
    expect((await error(load("features: [{ field: text, type: text }]\nsample: s.jsonl")))?.message).toMatch(
      /llmops\.yaml:7:7: environments\.production\.monitor\.reference: expected a reference with features/,
    );
    expect((await error(load("thresholds: { alpha: 0.01 }")))?.message).toMatch(
      /expected a suite \(quality\) or features \(drift\), or both/,
    );
    expect((await error(load('suite: s\nprovider: { type: http, url: "{{environment.port}}" }')))?.message).toMatch(
      /environments\.production\.monitor\.provider: expected \{\{environment\.url\}\} or \{\{environment\.name\}\}, not \{\{environment\.port\}\}/,
    );
    expect((await error(load("suite: s\nthresholds: { alpha: 2 }")))?.message).toMatch(/monitor\.thresholds\.alpha/);
    expect((await error(load("suite: s\nfeatures: [{ field: x, type: image }]\nsample: a.jsonl\nreference: b.jsonl")))?.message).toMatch(
      /monitor\.features\[0\]\.type/,
    );
  });
});
