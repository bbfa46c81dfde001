import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { node24 } from "../src/harness/node.ts";
import { ActionTimeoutError, FAKE_JOB_TOKEN, runAction } from "../src/harness.ts";
import { actionsRoot, readDump, script } from "./helpers.ts";

describe("inputs", () => {
  it("names INPUT_<NAME> upper-cased with spaces to _ and hyphens kept, and fills action.yml defaults", async () => {
    const result = await runAction("inputs", {
      actionsRoot,
      inputs: { "fail-on-gate": "true" },
      env: script({ main: [["dump", "env.json"]] }),
    });
    const { env } = readDump(result.workspace, "env.json");
    const inputs = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith("INPUT_")));
    expect(inputs).toEqual({
      "INPUT_FAIL-ON-GATE": "true",
      INPUT_MY_INPUT: "spaced value",
      INPUT_MODEL: "gpt-4o",
      INPUT_RETRIES: "3",
      "INPUT_NO-DEFAULT": "",
      INPUT_TOKEN: FAKE_JOB_TOKEN,
      INPUT_REPOSITORY: "repo=octo-org/octo-repo",
    });
    expect(result.masks).toContain(FAKE_JOB_TOKEN);
  });

  it("evaluates a github.token expression default to the GITHUB_TOKEN the test gives", async () => {
    const result = await runAction("inputs", {
      actionsRoot,
      env: { ...script({ main: [["dump", "env.json"]] }), GITHUB_TOKEN: "ghp_test" },
    });
    expect(readDump(result.workspace, "env.json").env.INPUT_TOKEN).toBe("ghp_test");
    expect(result.masks).toContain("ghp_test");
  });

  it("throws on an input action.yml does not declare", async () => {
    await expect(runAction("inputs", { actionsRoot, inputs: { "fail-on-gates": "true" } })).rejects.toThrow(
      /input "fail-on-gates" is not declared in .*inputs\/action\.yml \(declared: fail-on-gate, my input, Model, retries, no-default, token, repository\)/,
    );
  });

  it("keeps the test process's own INPUT_/GITHUB_ variables out of the action", async () => {
    process.env.INPUT_STRAY = "from outside";
    process.env.GITHUB_OUTPUT_STRAY = "from outside";
    try {
      const result = await runAction("main-only", { actionsRoot, env: script({ main: [["dump", "env.json"]] }) });
      const { env } = readDump(result.workspace, "env.json");
      expect(env.INPUT_STRAY).toBeUndefined();
      expect(env.GITHUB_OUTPUT_STRAY).toBeUndefined();
    } finally {
      delete process.env.INPUT_STRAY;
      delete process.env.GITHUB_OUTPUT_STRAY;
    }
  });
});

describe("the runner environment of a step", () => {
  it("runs dist/index.js with Node 24 in the workspace with hosted-runner variables and fresh command files", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "harness-ws-"));
    try {
      const result = await runAction("main-only", { actionsRoot, workspace, env: script({ main: [["dump", "env.json"]] }) });
      const { env, cwd, argv } = readDump(workspace, "env.json");
      expect(cwd).toBe(workspace);
      expect(argv[1]).toBe(join(actionsRoot, "main-only", "dist", "index.js"));
      expect(env.GITHUB_WORKSPACE).toBe(workspace);
      expect(result.workspace).toBe(workspace);
      expect(env).toMatchObject({ CI: "true", GITHUB_ACTIONS: "true", RUNNER_OS: "Linux", RUNNER_ARCH: "X64" });
      for (const name of [
        "RUNNER_TEMP",
        "RUNNER_TOOL_CACHE",
        "GITHUB_OUTPUT",
        "GITHUB_ENV",
        "GITHUB_STATE",
        "GITHUB_PATH",
        "GITHUB_STEP_SUMMARY",
      ]) {
        expect(env[name], name).toMatch(/^\//);
      }
      expect(env.GITHUB_OUTPUT?.startsWith(env.RUNNER_TEMP ?? "?")).toBe(true);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("gives each step fresh, empty command files", async () => {
    const result = await runAction("scripted", {
      actionsRoot,
      env: script({
        pre: [
          ["append", "OUTPUT", "a=1\n"],
          ["dump", "pre.json"],
        ],
        main: [["dump", "main.json"]],
      }),
    });
    const pre = readDump(result.workspace, "pre.json").env;
    const main = readDump(result.workspace, "main.json").env;
    for (const name of ["GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STATE", "GITHUB_PATH", "GITHUB_STEP_SUMMARY"]) {
      expect(main[name], name).not.toBe(pre[name]);
    }
    expect(result.outputs).toEqual({});
    expect(result.steps[0]?.outputs).toEqual({ a: "1" });
  });

  it("uses the workspace's Node 24", async () => {
    const result = await runAction("main-only", { actionsRoot, env: script({ main: [["dump", "env.json"]] }) });
    const { argv, version } = readDump(result.workspace, "env.json");
    expect(version).toMatch(/^v24\./);
    expect(argv[0]).toBe(realpathSync(node24()));
  });
});

describe("pre, main and post", () => {
  it("passes GITHUB_STATE on as STATE_<name> to later steps", async () => {
    const result = await runAction("scripted", {
      actionsRoot,
      env: script({
        pre: [["append", "STATE", "started=yes\n"]],
        main: [
          ["append", "STATE", "cache_key<<EOF\nk-1\nEOF\n"],
          ["dump", "main.json"],
        ],
        post: [["dump", "post.json"]],
      }),
    });
    expect(readDump(result.workspace, "main.json").env.STATE_started).toBe("yes");
    const post = readDump(result.workspace, "post.json").env;
    expect(post.STATE_started).toBe("yes");
    expect(post.STATE_cache_key).toBe("k-1");
    expect(result.state).toEqual({ started: "yes", cache_key: "k-1" });
  });

  it("puts GITHUB_ENV values in the env of later steps only", async () => {
    const result = await runAction("scripted", {
      actionsRoot,
      env: script({
        pre: [
          ["append", "ENV", "MODEL_DIR=/models\n"],
          ["dump", "pre.json"],
        ],
        main: [
          ["append", "ENV", "NOTES<<EOF\na\nb\nEOF\n"],
          ["dump", "main.json"],
        ],
        post: [["dump", "post.json"]],
      }),
    });
    expect(readDump(result.workspace, "pre.json").env.MODEL_DIR).toBeUndefined();
    expect(readDump(result.workspace, "main.json").env.MODEL_DIR).toBe("/models");
    expect(readDump(result.workspace, "post.json").env.NOTES).toBe("a\nb");
    expect(result.env).toEqual({ MODEL_DIR: "/models", NOTES: "a\nb" });
  });

  it("prepends GITHUB_PATH entries to PATH of later steps, newest first", async () => {
    const result = await runAction("scripted", {
      actionsRoot,
      env: script({
        pre: [
          ["append", "PATH", "/opt/a\n/opt/b\n"],
          ["dump", "pre.json"],
        ],
        main: [
          ["append", "PATH", "/opt/a\n"],
          ["dump", "main.json"],
        ],
        post: [["dump", "post.json"]],
      }),
    });
    const original = readDump(result.workspace, "pre.json").env.PATH ?? "";
    expect(original.startsWith("/opt/")).toBe(false);
    expect(readDump(result.workspace, "main.json").env.PATH).toBe(`/opt/b:/opt/a:${original}`);
    expect(readDump(result.workspace, "post.json").env.PATH).toBe(`/opt/a:/opt/b:${original}`);
    expect(result.path).toEqual(["/opt/a", "/opt/b"]);
  });

  it("accumulates every step's summary", async () => {
    const result = await runAction("scripted", {
      actionsRoot,
      env: script({
        pre: [["append", "STEP_SUMMARY", "# pre\n"]],
        main: [["append", "STEP_SUMMARY", "## main\n"]],
        post: [["append", "STEP_SUMMARY", "post\n"]],
      }),
    });
    expect(result.summary).toBe("# pre\n## main\npost\n");
    expect(result.steps.map((s) => s.summary)).toEqual(["# pre\n", "## main\n", "post\n"]);
  });

  it("returns the failing main's exit code, still runs post (always()), and keeps outputs written before the failure", async () => {
    const result = await runAction("scripted", {
      actionsRoot,
      env: script({
        main: [
          ["append", "OUTPUT", "verdict=fail\n"],
          ["exit", 3],
        ],
        post: [["dump", "post.json"]],
      }),
    });
    expect(result.exitCode).toBe(3);
    expect(result.outputs).toEqual({ verdict: "fail" });
    expect(result.steps.map((s) => [s.step, s.conclusion, s.exitCode])).toEqual([
      ["pre", "success", 0],
      ["main", "failure", 3],
      ["post", "success", 0],
    ]);
    expect(existsSync(join(result.workspace, "post.json"))).toBe(true);
  });

  it("keeps the first failure's exit code when post fails too; skips main after a failed pre", async () => {
    const result = await runAction("scripted", { actionsRoot, env: script({ pre: [["exit", 4]], post: [["exit", 5]] }) });
    expect(result.exitCode).toBe(4);
    expect(result.steps.map((s) => s.conclusion)).toEqual(["failure", "skipped", "failure"]);
  });

  it("honours pre-if with runner and env contexts, and post-if: failure()", async () => {
    const ok = await runAction("conditions", { actionsRoot, env: script({}) });
    expect(ok.steps.map((s) => s.conclusion)).toEqual(["success", "success", "skipped"]);
    const skipped = await runAction("conditions", { actionsRoot, env: { ...script({ main: [["exit", 1]] }), FIXTURE_SKIP_PRE: "true" } });
    expect(skipped.steps.map((s) => s.conclusion)).toEqual(["skipped", "failure", "success"]);
    expect(skipped.exitCode).toBe(1);
  });

  it("runs only the requested steps", async () => {
    const result = await runAction("scripted", { actionsRoot, steps: ["main"], env: script({}) });
    expect(result.steps.map((s) => s.step)).toEqual(["main"]);
    await expect(runAction("main-only", { actionsRoot, steps: ["post"] })).rejects.toThrow(/declares no "post" step/);
  });
});

/** "gone" once the process no longer runs (a zombie awaiting its reaper counts as gone). */
function processState(pid: number): "alive" | "gone" {
  try {
    process.kill(pid, 0);
  } catch {
    return "gone";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z") ? "gone" : "alive";
  } catch {
    return "gone";
  }
}

describe("timeouts", () => {
  let pid: number | undefined;
  afterEach(() => {
    if (pid) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  });

  it("kills the whole process group and throws with the stderr tail", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "harness-timeout-"));
    try {
      const error = await runAction("main-only", {
        actionsRoot,
        workspace,
        timeoutMs: 1500,
        env: script({ main: [["hang", "child.pid"]] }),
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActionTimeoutError);
      expect((error as Error).message).toMatch(/main-only main did not finish within 1500 ms; stderr tail:\nhanging on purpose/);
      pid = Number(readFileSync(join(workspace, "child.pid"), "utf8"));
      // The grandchild was in the step's process group, so it is gone too (signal 0 only probes).
      await expect.poll(() => processState(pid!)).toBe("gone");
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});
