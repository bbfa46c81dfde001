import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leakedSecrets, runAction } from "@llmops/test/harness";
import { type OpenAIServer, startOpenAIServer } from "@llmops/test/openai-server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const KEY = "sk-live-ACTIONSECRET-9f8e7d6c5b4a";
let server: OpenAIServer;
let workspace: string;

beforeEach(async () => {
  // Answers "wrong" for case 0 so gates can be made to fail; requires the key like a real API.
  server = await startOpenAIServer({
    apiKey: KEY,
    respond: (r) => (r.messages.at(-1)!.content === "q0" ? "wrong" : r.messages.at(-1)!.content),
  });
  workspace = await mkdtemp(join(tmpdir(), "llmops-eval-action-"));
});
afterEach(async () => {
  await server.close();
  await rm(workspace, { recursive: true, force: true });
});

function config(gates: string, extra: string[] = []): string {
  return [
    "suites:",
    "  - name: qa",
    "    provider:",
    "      type: openai",
    "      baseUrl: https://api.example.invalid/v1",
    "      model: gpt-test",
    "      apiKeyEnv: EVAL_API_KEY",
    '    prompt: "{{q}}"',
    "    cases:",
    ...Array.from({ length: 10 }, (_, i) => `      - { id: q${i}, vars: { q: q${i} }, expected: q${i} }`),
    "    scorers: [{ type: equals, name: exact }]",
    `    gates: ${gates}`,
    ...extra,
    "",
  ].join("\n");
}

describe("actions/eval", () => {
  it("runs the suite, sets outputs and the job summary, and never shows the API key", async () => {
    await writeFile(join(workspace, "llmops.yaml"), config("[{ metric: exact, min: 0.8 }]"));
    const result = await runAction("eval", {
      workspace,
      // base-url points every openai provider at the local server (the config names a fake host).
      inputs: { "base-url": server.url, cache: "true" },
      env: { EVAL_API_KEY: KEY },
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(server.requests).toHaveLength(10);
    expect(result.outputs.passed).toBe("true");
    expect(JSON.parse(result.outputs.metrics!)).toEqual({ qa: expect.objectContaining({ exact: 0.9, pass_rate: 0.9, error_rate: 0 }) });
    expect(result.outputs["results-path"]).toBe(join(workspace, ".llmops", "results"));
    expect(result.outputs["summary-path"]).toBe(join(workspace, ".llmops", "results", "qa", "summary.json"));
    expect(result.summary).toContain("qa");
    // No cache service in the harness: a warning, and the run goes on with the local cache.
    expect(result.annotations.some((a) => a.level === "warning" && a.message.includes("cache service is not available"))).toBe(true);
    expect(result.masks).toContain(KEY);
    expect(leakedSecrets(result, [KEY])).toEqual([]);
    const out = join(workspace, ".llmops", "results", "qa");
    for (const file of await readdir(out)) expect(await readFile(join(out, file), "utf8")).not.toContain(KEY);

    // A second run is served from the response cache: no provider call.
    const again = await runAction("eval", { workspace, inputs: { "base-url": server.url }, env: { EVAL_API_KEY: KEY } });
    expect(again.exitCode).toBe(0);
    expect(server.requests).toHaveLength(10);
  });

  it("fails the step on a failed gate with the reason, or only warns with fail-on-gate false", async () => {
    await writeFile(join(workspace, "llmops.yaml"), config("[{ metric: exact, min: 0.95 }]"));
    const failed = await runAction("eval", { workspace, inputs: { "base-url": server.url, cache: "false" }, env: { EVAL_API_KEY: KEY } });
    expect(failed.exitCode).toBe(1);
    expect(failed.outputs.passed).toBe("false");
    expect(failed.annotations).toContainEqual(
      expect.objectContaining({ level: "error", message: "gate failed: qa: exact is 0.9, expected >= 0.95" }),
    );

    const warned = await runAction("eval", {
      workspace,
      inputs: { "base-url": server.url, cache: "false", "fail-on-gate": "false", "upload-results": "true" },
      env: { EVAL_API_KEY: KEY },
    });
    expect(warned.exitCode).toBe(0);
    // The uploader is a chunk loaded on demand: it loads, and without an artifact service it warns.
    expect(warned.annotations.filter((a) => a.level === "warning").map((a) => a.message)).toContainEqual(
      expect.stringMatching(/ACTIONS_RUNTIME_TOKEN|artifact/i),
    );
    expect(warned.outputs.passed).toBe("false");
    expect(warned.annotations.some((a) => a.level === "warning" && a.message.includes("exact is 0.9"))).toBe(true);
  });

  it("annotates config errors on their lines and calls no provider", async () => {
    await writeFile(join(workspace, "llmops.yaml"), config("[{ metric: exact, min: 0.8 }]", ["    concurency: 4"]));
    const result = await runAction("eval", { workspace, inputs: { "base-url": server.url, cache: "false" }, env: { EVAL_API_KEY: KEY } });
    expect(result.exitCode).toBe(1);
    expect(server.requests).toHaveLength(0);
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: "error",
        file: "llmops.yaml",
        line: 22,
        col: 5,
        message: 'suites[0].concurency: unknown key "concurency"',
      }),
    );
  });

  it("loads the user's JS module provider and custom scorer from the workspace in the bundled action", async () => {
    // ncc rewrites a plain dynamic import() into a bundle lookup that cannot find a user's file.
    await writeFile(join(workspace, "answer.mjs"), "export default ({ vars }) => String(vars.q).toUpperCase();\n");
    await writeFile(join(workspace, "shouting.mjs"), "export default ({ output }) => output === output.toUpperCase();\n");
    await writeFile(
      join(workspace, "llmops.yaml"),
      [
        "suites:",
        "  - name: shout",
        "    provider: { type: module, path: answer.mjs }",
        '    prompt: "{{q}}"',
        "    cases:",
        "      - { id: a, vars: { q: hello }, expected: HELLO }",
        "      - { id: b, vars: { q: world }, expected: WORLD }",
        "    scorers:",
        "      - { type: equals, name: exact }",
        "      - { type: custom, module: shouting.mjs, name: shouting }",
        "",
      ].join("\n"),
    );
    const result = await runAction("eval", { workspace, inputs: { cache: "false" } });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.outputs.metrics!)).toEqual({ shout: expect.objectContaining({ exact: 1, shouting: 1 }) });
  });
});
