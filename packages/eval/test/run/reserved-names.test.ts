import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILTIN_METRICS } from "../../src/aggregate/aggregate.ts";
import { prepareSuite } from "../../src/run/suite.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-reserved-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("scorer names", () => {
  it.each(BUILTIN_METRICS)("may not be the built-in metric %s", async (name) => {
    await writeFile(join(dir, "m.mjs"), "export default () => ({ output: 'x' });");
    await writeFile(
      join(dir, "llmops.yaml"),
      [
        "suites:",
        "  - name: s",
        "    provider: { type: module, path: m.mjs }",
        "    prompt: hi",
        "    cases: [{ id: a }]",
        `    scorers: [{ type: contains, value: x, name: ${name} }]`,
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(undefined, { cwd: dir });
    await expect(prepareSuite({ loaded, suite: loaded.config.suites[0]!, suiteIndex: 0, env: {}, logger: silentLogger })).rejects.toThrow(
      `scorer name "${name}" is a built-in metric`,
    );
  });
});
