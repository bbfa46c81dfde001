import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateWorkflowFile } from "./src/harness/metadata-validation.ts";
import { loadPrerequisites, renderReadmePrerequisites } from "./src/prerequisites.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("documented configuration stays valid", () => {
  it("the README's prerequisites are the ones in test/prerequisites.yaml (pnpm preflight --write-readme)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toContain(renderReadmePrerequisites(loadPrerequisites()));
  });

  it("the README's llmops.yaml example passes the config schema", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /## `llmops\.yaml`\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const dir = await mkdtemp(join(tmpdir(), "llmops-readme-"));
    try {
      await writeFile(join(dir, "llmops.yaml"), block!);
      const { config } = await loadConfig(join(dir, "llmops.yaml"));
      expect(config.suites.map((s) => s.name)).toEqual(["support-bot"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the README's environments examples (promotion, canary) pass the config schema", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/```yaml\n(environments:\n[\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const dir = await mkdtemp(join(tmpdir(), "llmops-readme-"));
    try {
      for (const block of blocks) {
        // The examples leave out the suites and artifacts they name; the schema checks those too.
        const yaml = `artifacts:\n  acme/sentiment: { kind: model, path: model }\nsuites:\n${["sentiment", "smoke"].map((n) => `  - { name: ${n}, provider: { type: replay, file: r.jsonl }, prompt: x, cases: [{ vars: {} }] }`).join("\n")}\n${block}`;
        await writeFile(join(dir, "llmops.yaml"), yaml);
        const { config } = await loadConfig(join(dir, "llmops.yaml"));
        expect(Object.keys(config.environments).length).toBeGreaterThan(0);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the README's quickstart workflow passes GitHub's workflow parser and uses real action inputs", async () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const block = /## Quickstart in a workflow\n\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const { errors } = await validateWorkflowFile("README.md#quickstart", block!);
    expect(errors).toEqual([]);
    // Every `with:` key must be an input of the action it is given to.
    const workflow = parse(block!) as { jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }> };
    const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
    const ours = steps.filter((step) => step.uses?.includes("/llmops-actions/actions/"));
    expect(ours.length).toBeGreaterThan(0);
    for (const step of ours) {
      const action = /\/actions\/([a-z-]+)@/.exec(step.uses!)![1]!;
      const inputs = Object.keys((parse(readFileSync(join(root, "actions", action, "action.yml"), "utf8")) as { inputs: object }).inputs);
      for (const key of Object.keys(step.with ?? {})) expect(inputs, `actions/${action} input ${key}`).toContain(key);
    }
  });

  const examples = readdirSync(join(root, "examples"), { withFileTypes: true }).filter((d) => d.isDirectory());
  it.each(examples.map((d) => d.name))("examples/%s/llmops.yaml passes the config schema", async (name) => {
    const { config } = await loadConfig(join(root, "examples", name, "llmops.yaml"));
    expect(config.suites.length).toBeGreaterThan(0);
  });
});
