import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@llmops/core";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("documented configuration stays valid", () => {
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

  const examples = readdirSync(join(root, "examples"), { withFileTypes: true }).filter((d) => d.isDirectory());
  it.each(examples.map((d) => d.name))("examples/%s/llmops.yaml passes the config schema", async (name) => {
    const { config } = await loadConfig(join(root, "examples", name, "llmops.yaml"));
    expect(config.suites.length).toBeGreaterThan(0);
  });
});
