import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/index.ts";

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

  it("refuses environments until promotion exists, instead of ignoring them", async () => {
    const error = await load("environments:\n  production:\n    alias: prod\n").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/llmops\.yaml:\d+:\d+: environments: promotion to environments is not supported yet/);
  });
});
