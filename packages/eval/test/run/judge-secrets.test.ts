import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, silentLogger } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { runTasks } from "../../src/run/runner.ts";
import { prepareSuite } from "../../src/run/suite.ts";
import type { Scorer } from "../../src/scorers/types.ts";
import { fakeProvider, tasks } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("llm-judge keys", () => {
  it("are among the suite's secret variables, which the action masks and the runner redacts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llmops-judge-"));
    dirs.push(dir);
    await writeFile(join(dir, "answer.mjs"), 'export default () => "42";\n');
    const file = join(dir, "llmops.yaml");
    await writeFile(
      file,
      [
        "suites:",
        "  - name: s",
        "    provider: { type: openai, model: m, baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: MODEL_KEY }",
        '    prompt: "{{q}}"',
        "    cases: [{ id: a, vars: { q: x } }]",
        "    scorers:",
        "      - name: judge-openai",
        "        type: llm-judge",
        '        rubric: "Rate {{output}}"',
        "        provider: { type: openai, model: j, baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: JUDGE_KEY }",
        "      - name: judge-anthropic",
        "        type: llm-judge",
        '        rubric: "Rate {{output}}"',
        "        provider: { type: anthropic, model: j, baseUrl: 'http://127.0.0.1:9' }",
        "      - name: judge-http",
        "        type: llm-judge",
        '        rubric: "Rate {{output}}"',
        "        provider:",
        "          type: http",
        "          url: http://127.0.0.1:9/judge",
        '          headers: { x-judge-token: "{{env.JUDGE_TOKEN}}" }',
        "",
      ].join("\n"),
    );
    const loaded = await loadConfig(file);
    const prepared = await prepareSuite({
      loaded,
      suite: loaded.config.suites[0]!,
      suiteIndex: 0,
      env: { MODEL_KEY: "m-secret", JUDGE_KEY: "j-secret", JUDGE_TOKEN: "t-secret", ANTHROPIC_API_KEY: "a-secret" },
      logger: silentLogger,
    });
    expect(prepared.secretEnvNames.sort()).toEqual(["ANTHROPIC_API_KEY", "JUDGE_KEY", "JUDGE_TOKEN", "MODEL_KEY"]);
  });

  it("a scorer's error (a judge's, quoting its request) is redacted in results like a provider's", async () => {
    const KEY = "sk-judge-SECRET-123456";
    const leaky: Scorer = {
      name: "judge",
      type: "llm-judge",
      weight: 1,
      higherIsBetter: true,
      scoreCase: async () => {
        throw new Error(`judge request failed: Authorization: Bearer ${KEY}`);
      },
    };
    const { results } = await runTasks({
      provider: fakeProvider(),
      tasks: tasks(1),
      scorers: [leaky],
      redact: (text) => text.split(KEY).join("***"),
    });
    expect(results[0]!.scores[0]!.reason).toBe("scorer failed: judge request failed: Authorization: Bearer ***");
  });
});
