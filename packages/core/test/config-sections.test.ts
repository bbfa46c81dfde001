import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, listConfigFileErrors, loadConfig } from "../src/index.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function load(yaml: string) {
  const dir = await mkdtemp(join(tmpdir(), "llmops-sections-"));
  dirs.push(dir);
  await writeFile(join(dir, "llmops.yaml"), yaml);
  return loadConfig(join(dir, "llmops.yaml"));
}

describe("config sections", () => {
  it("declares artifacts with kind, path, parents, aliases, params and labels", async () => {
    const { config } = await load(
      "artifacts:\n  acme/reviews: { kind: dataset, path: data, labels: { source: crawl } }\n" +
        "  acme/model: { kind: model, path: model, parents: [acme/reviews:latest], params: { lr: 0.1, layers: [2, 3] } }\n",
    );
    expect(config.artifacts["acme/model"]).toEqual({
      kind: "model",
      path: "model",
      parents: ["acme/reviews:latest"],
      aliases: [],
      params: { lr: 0.1, layers: [2, 3] },
      labels: {},
    });
  });

  it("names the line of a bad artifact", async () => {
    await expect(load("artifacts:\n  acme/model: { kind: weights, path: m }\n")).rejects.toThrow(
      /llmops\.yaml:2:.*artifacts\.acme\/model\.kind/,
    );
  });

  it("parses environments with their defaults filled in", async () => {
    const { config } = await load(
      [
        "artifacts:",
        "  acme/model: { kind: model, path: model }",
        "suites:",
        "  - { name: smoke, provider: { type: replay, file: r.jsonl }, prompt: hi, cases: [{ id: a }] }",
        "environments:",
        "  staging:",
        "    targets: [{ type: model-repository, root: /srv/models }]",
        "  production:",
        "    alias: prod",
        "    url: https://model.example.com",
        "    requires:",
        "      evidence: [{ suite: qa, maxAgeDays: 7 }]",
        "      promotedTo: [staging]",
        "    smoke:",
        "      suite: smoke",
        '      provider: { type: http, url: "{{environment.url}}/v1/predict", headers: { x-env: "{{environment.name}}" } }',
        "    rollback: manual",
        "notify: { issue: true, webhook: { url: 'https://hooks.example.com/{{env.HOOK}}', secretEnv: HOOK_SECRET } }",
        "",
      ].join("\n"),
    );
    expect(config.environments.staging).toEqual({
      requires: { evidence: [], promotedTo: [] },
      targets: [{ type: "model-repository", root: "/srv/models", format: "triton", keep: 3, timeoutMs: 60_000 }],
      rollback: "auto",
      transient: false,
    });
    expect(config.environments.production).toMatchObject({
      alias: "prod",
      requires: { evidence: [{ suite: "qa", passed: true, maxAgeDays: 7 }], promotedTo: ["staging"] },
      // The provider stays as written: {{environment.url}} is filled in at promotion.
      smoke: { suite: "smoke", timeoutMs: 300_000, provider: { type: "http", url: "{{environment.url}}/v1/predict" } },
      rollback: "manual",
    });
    expect(config.notify).toEqual({
      issue: true,
      webhook: { url: "https://hooks.example.com/{{env.HOOK}}", secretEnv: "HOOK_SECRET", timeoutMs: 10_000 },
    });
  });

  it("names the line of a bad target type and of a bad smoke provider", async () => {
    await expect(load("environments:\n  production:\n    targets:\n      - { type: ftp, root: x }\n")).rejects.toThrow(
      /llmops\.yaml:4:\d+: environments\.production\.targets\[0\].*expected a target with type model-repository, gitops, webhook or command/,
    );
    const smoke = (provider: string) =>
      load(
        "suites:\n  - { name: smoke, provider: { type: replay, file: r.jsonl }, prompt: hi, cases: [{ id: a }] }\n" +
          `environments:\n  production:\n    smoke:\n      suite: smoke\n      provider: ${provider}\n`,
      );
    await expect(smoke('{ type: http, url: "{{environment.url}}", method: FETCH }')).rejects.toThrow(
      /llmops\.yaml:7:\d+: environments\.production\.smoke\.provider\.method/,
    );
    await expect(smoke('{ type: http, url: "{{environment.port}}/x" }')).rejects.toThrow(
      /expected \{\{environment\.url\}\} or \{\{environment\.name\}\}/,
    );
  });

  it("cross-checks environments against suites, artifacts and each other, each at its line", async () => {
    const errors = async (yaml: string) => {
      const dir = await mkdtemp(join(tmpdir(), "llmops-sections-"));
      dirs.push(dir);
      await writeFile(join(dir, "llmops.yaml"), yaml);
      return (await listConfigFileErrors(join(dir, "llmops.yaml"))).map((e) => e.message.replace(/^.*llmops\.yaml:/, ""));
    };
    expect(
      await errors(
        [
          "artifacts:",
          "  acme/model: { kind: model, path: m }",
          "  acme/data: { kind: dataset, path: d }",
          "suites:",
          "  - { name: qa, provider: { type: replay, file: r.jsonl }, prompt: hi, cases: [{ id: a }] }",
          "environments:",
          "  staging:",
          "    artifact: acme/data",
          "  production:",
          "    artifact: acme/other",
          "    requires: { promotedTo: [staging, qa, production] }",
          "    smoke: { suite: smokey }",
          "  canary:",
          "    alias: production",
          "  blue: { alias: production }",
          "",
        ].join("\n"),
      ),
    ).toEqual([
      '8:15: environments.staging.artifact: expected a model; "acme/data" is a dataset',
      '10:15: environments.production.artifact: expected one of the artifacts (acme/model, acme/data); "acme/other" is not declared',
      '11:39: environments.production.requires.promotedTo[1]: expected an environment of this file (staging, production, canary, blue); "qa" is not one',
      "11:43: environments.production.requires.promotedTo[2]: expected an earlier environment, not production itself",
      '12:21: environments.production.smoke.suite: expected a suite of this file (qa); "smokey" is not one',
      "15:18: environments.blue.alias: expected an alias of its own; blue and canary would both move acme/model:production",
    ]);
    const first = await load("environments:\n  production:\n    requires: { promotedTo: [staging] }\n").catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ConfigError);
    expect((first as Error).message).toMatch(/llmops\.yaml:3:\d+: environments\.production\.requires\.promotedTo\[0\]/);
  });
});
