import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canaryResultSchema } from "@llmops/promote";
import { afterEach, describe, expect, it } from "vitest";
import { runMain } from "./helpers.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A project whose production rolls out by canary through a webhook router that nothing answers. */
async function project(): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), "llmops-canary-cli-"));
  dirs.push(cwd);
  await mkdir(join(cwd, "model"));
  await writeFile(join(cwd, "model", "w.bin"), "weights");
  await writeFile(
    join(cwd, "llmops.yaml"),
    `store: store
artifacts:
  m: { kind: model, path: model }
environments:
  staging: {}
  production:
    targets: [{ type: command, argv: [./deploy.sh] }]
    strategy:
      canary:
        steps: [50, 100]
        router: { type: webhook, url: "http://127.0.0.1:9/traffic", retries: 0 }
        metrics: [{ name: ok, feedback: { file: feedback.jsonl, field: ok }, noWorseThan: 0.1 }]
`,
  );
  return cwd;
}

const run = (argv: string[], cwd: string) => runMain(argv, { cwd, env: { LLMOPS_CACHE_DIR: join(cwd, ".cache") } });

describe("llmops canary", () => {
  it("lists its subcommands and exits 2 for a missing or unknown one", async () => {
    const cwd = await project();
    const none = await run(["canary"], cwd);
    expect(none.code).toBe(2);
    expect(none.stderr.split("\n")[0]).toBe("llmops canary: expected start, advance, analyze or abort");
    const unknown = await run(["canary", "resume", "production"], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown canary command "resume"');
    const help = await run(["canary", "--help"], cwd);
    expect(help.code).toBe(0);
    expect(help.stdout + help.stderr).toMatch(/start[\s\S]*advance[\s\S]*analyze[\s\S]*abort/);
  });

  it("exits 2 with one line for bad input: missing ref, unknown environment, an environment without a strategy, no rollout", async () => {
    const cwd = await project();
    expect((await run(["version", "--json"], cwd)).code).toBe(0);
    const cases: [string[], string][] = [
      [["canary", "start", "production"], "llmops canary start: expected <ENV> <REF>"],
      [["canary", "start", "prod", "m:v1"], 'llmops canary start: unknown environment "prod"; llmops.yaml has staging, production'],
      [["canary", "start", "staging", "m:v1"], "llmops canary start: environment staging has no strategy.canary in llmops.yaml"],
      [["canary", "start", "production", "m:v1"], "llmops canary start: m:production names nothing yet: a canary needs a stable version"],
      [
        ["canary", "advance", "production"],
        "llmops canary advance: no canary rollout is in progress in production; start one with llmops canary start",
      ],
      [["canary", "abort", "production", "extra"], "llmops canary abort: unexpected argument extra"],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv, cwd);
      expect(result.code, `${argv.join(" ")}: ${result.stderr}`).toBe(2);
      expect(result.stderr.split("\n")[0]).toContain(message);
    }
  });

  it("a router that cannot be reached fails the start (exit 3) and leaves nothing in progress; --json prints the result", async () => {
    const cwd = await project();
    expect((await run(["version", "--json"], cwd)).code).toBe(0);
    await writeFile(join(cwd, "model", "w.bin"), "weights 2");
    expect((await run(["version", "--json"], cwd)).code).toBe(0);
    expect((await run(["tag", "m:v1", "production"], cwd)).code).toBe(0);
    const started = await run(["canary", "start", "production", "m:v2", "--json"], cwd);
    expect(started.code).toBe(3);
    const result = canaryResultSchema.parse(JSON.parse(started.stdout));
    expect(result).toMatchObject({ outcome: "failed", command: "start" });
    expect(result.message).toMatch(/router webhook: .*127\.0\.0\.1:9.*traffic left with stable/);
    const advance = await run(["canary", "advance", "production"], cwd);
    expect(advance.code).toBe(2);
    // The failed start claimed the rollout's tag but recorded no rollout: starting again is allowed.
    const again = await run(["canary", "start", "production", "m:v2", "--json"], cwd);
    expect(again.code).toBe(3);
    expect(canaryResultSchema.parse(JSON.parse(again.stdout)).outcome).toBe("failed");
  });
});
