import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatDuration, loadConfig, metricDirection, parseDuration } from "../src/index.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const METRIC = "metrics: [{ name: ok, feedback: { file: f.jsonl, field: ok }, noWorseThan: 0.01 }]";

async function load(canary: string, environment = "    targets: [{ type: command, argv: [./deploy.sh] }]\n", more = "") {
  const dir = await mkdtemp(join(tmpdir(), "llmops-canary-config-"));
  dirs.push(dir);
  const body = canary.includes("metrics:") ? canary : `${canary}\n${METRIC}`;
  const yaml = `artifacts:
  m: { kind: model, path: model }
environments:
  production:
${environment}    strategy:
      canary:
${body.replace(/^/gm, "        ")}
${more}`;
  await writeFile(join(dir, "llmops.yaml"), yaml);
  return loadConfig(join(dir, "llmops.yaml"));
}

const ROUTER = "router: { type: haproxy, socket: admin.sock, backend: model, stable: blue, canary: green }";

describe("strategy.canary", () => {
  it("fills its defaults and parses durations to milliseconds", async () => {
    const { config } = await load(`steps: [5, 50, 100]\n${ROUTER}\nmaxDuration: 2h`);
    expect(config.environments.production?.strategy?.canary).toMatchObject({
      steps: [5, 50, 100],
      minRequests: 100,
      maxDuration: 7_200_000,
      minStepDuration: 0,
      alpha: 0.05,
      targets: [],
      router: { type: "haproxy", timeoutMs: 5000 },
    });
  });

  it.each([
    ["steps: [50, 25, 100]", "expected increasing percentages"],
    ["steps: [5, 50]", "expected the last step to be 100"],
    ["steps: [0, 100]", "Too small"],
    ["steps: [100]\nmaxDuration: soon", 'expected a duration such as 90s, 15m, 2h or 1d, got "soon"'],
    ["steps: [100]\nalpha: 0.7", "Too big"],
    ["steps: [100]\nrouter: { type: nginx }", "expected a router with type haproxy, gitops or webhook"],
    [
      'steps: [100]\nprometheus: http://p:9090\nmetrics: [{ name: e, prometheus: "x{s=\\"{{server}}\\"}", max: 1 }]',
      "{{server}} is not available in a PromQL query; expected {{variant}} or {{since}}",
    ],
    ['steps: [100]\nmetrics: [{ name: e, prometheus: "x", max: 1 }]', 'metric "e" reads Prometheus: expected prometheus: <base URL>'],
    ["steps: [100]\nmetrics: [{ name: e, feedback: { file: f.jsonl, field: ok } }]", "expected a criterion: max, min or noWorseThan"],
    ["steps: [100]\nmetrics: [{ name: e, max: 1 }]", "expected exactly one source: prometheus or feedback"],
    ["steps: [100]\nmetrics: [{ name: e, feedback: { file: f, field: x }, min: 2, max: 1 }]", "expected min ≤ max (1)"],
    [
      "steps: [100]\nmetrics: [{ name: e, feedback: { file: f, field: x }, max: 1 }, { name: e, feedback: { file: f, field: y }, max: 1 }]",
      'metric "e" is listed twice',
    ],
    [
      "steps: [100]\nrouter: { type: haproxy, socket: s, backend: 'model; disable server x', stable: a, canary: b }",
      "expected an HAProxy backend name",
    ],
  ])("refuses %s", async (body, message) => {
    const withRouter = body.includes("router:") ? body : `${body}\n${ROUTER}`;
    await expect(load(withRouter)).rejects.toThrow(message);
  });

  it("needs a metric, targets for the stable slot with a slot router, and a tag of its own for the rollout", async () => {
    await expect(load(`steps: [100]\n${ROUTER}\nmetrics: []`)).rejects.toThrow("expected at least one metric");
    await expect(load(`steps: [100]\n${ROUTER}`, "")).rejects.toThrow(
      "expected targets for the stable slot: a canary with a haproxy router completes by deploying the candidate there",
    );
    // gitops (KServe) routes by version, not slot: no targets needed.
    const gitops = "router: { type: gitops, path: isvc.yaml, reference: 'oci://r/{{name}}@{{digest}}' }";
    await expect(load(`steps: [100]\n${gitops}`, "")).resolves.toBeDefined();
    await expect(load(`steps: [100]\n${ROUTER}`, undefined, "  production-canary: {}\n")).rejects.toThrow(
      "expected an alias of its own; production-canary and production would both move m:production-canary",
    );
  });

  it("durations read and print back", () => {
    expect([parseDuration("90s"), parseDuration("15m"), parseDuration("2h"), parseDuration("1d"), parseDuration("250ms")]).toEqual([
      90_000, 900_000, 7_200_000, 86_400_000, 250,
    ]);
    expect(parseDuration("2 hours")).toBeUndefined();
    expect([formatDuration(250), formatDuration(90_000), formatDuration(7_260_000), formatDuration(7_200_000)]).toEqual([
      "250ms",
      "1m 30s",
      "2h 1m",
      "2h",
    ]);
  });

  it("a metric with only a max is lower-is-better; otherwise higher, unless said", () => {
    expect(metricDirection({ max: 0.01 })).toBe("lower");
    expect(metricDirection({ noWorseThan: 0.02 } as never)).toBe("higher");
    expect(metricDirection({ min: 0.9, max: 1 })).toBe("higher");
    expect(metricDirection({ max: 300, direction: "higher" })).toBe("higher");
  });
});
