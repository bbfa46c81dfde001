import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ExitCode, GateFailedError, InputError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import type { Command } from "../src/command.ts";
import { commands } from "../src/commands/index.ts";
import { runMain } from "./helpers.ts";

function run(argv: string[], commands: Command[]) {
  return runMain(argv, { env: {}, commands });
}

const greet: Command = {
  name: "greet",
  summary: "Say hello",
  usage: "<who> [--loud]",
  options: { loud: { type: "boolean" } },
  async run(args, context) {
    const who = args.positionals[0];
    if (!who) throw new InputError("greet: expected a name");
    if (who === "gate") throw new GateFailedError(["accuracy 0.5 < 0.8"]);
    if (who === "boom") throw new Error("socket hang up");
    const text = args.values.loud ? `HELLO ${who.toUpperCase()}` : `hello ${who}`;
    context.stdout.write(context.json ? `${JSON.stringify({ text })}\n` : `${text}\n`);
    return ExitCode.Success;
  },
};
const nested: Command = {
  name: "eval",
  summary: "Evaluate",
  usage: "",
  options: {},
  subcommands: [{ ...greet, name: "merge" }],
  run: greet.run,
};

describe("llmops dispatch", () => {
  it("lists commands on --help and exits 0", async () => {
    const result = await run(["--help"], [greet]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("usage: llmops <command>");
    expect(result.stdout).toMatch(/greet\s+Say hello/);
  });

  it("prints the package version", async () => {
    const result = await run(["--version"], []);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it("rejects an unknown command in one line plus the usage line, exit 2", async () => {
    const result = await run(["frobnicate"], [greet]);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toBe('llmops: unknown command "frobnicate"\nusage: llmops <command> [options]\n');
  });

  it("rejects an unknown flag naming it, exit 2", async () => {
    const result = await run(["greet", "ann", "--lound"], [greet]);
    expect(result.code).toBe(ExitCode.Usage);
    const [first, second] = result.stderr.trim().split("\n");
    expect(first).toContain("--lound");
    expect(second).toBe("usage: llmops greet <who> [--loud]");
  });

  it("runs a command with flags and --json", async () => {
    expect((await run(["greet", "ann", "--loud"], [greet])).stdout).toBe("HELLO ANN\n");
    expect(JSON.parse((await run(["greet", "ann", "--json"], [greet])).stdout)).toEqual({ text: "hello ann" });
  });

  it("maps errors to the exit-code contract", async () => {
    expect((await run(["greet"], [greet])).code).toBe(ExitCode.Usage);
    const gate = await run(["greet", "gate"], [greet]);
    expect(gate.code).toBe(ExitCode.GateFailed);
    expect(gate.stderr).toContain("accuracy 0.5 < 0.8");
    expect((await run(["greet", "boom"], [greet])).code).toBe(ExitCode.External);
  });

  it("dispatches nested subcommands and shows per-command help", async () => {
    expect((await run(["eval", "merge", "x"], [nested])).stdout).toBe("hello x\n");
    const help = await run(["greet", "--help"], [greet]);
    expect(help.stdout).toContain("usage: llmops greet <who> [--loud]");
    expect(help.stdout).toContain("--loud");
  });

  it("every store command takes --store, --store-username and --store-password", async () => {
    for (const name of ["version", "fetch", "tag", "ls", "history"]) {
      const help = await run([name, "--help"], commands);
      for (const flag of ["--store <value>", "--store-username <value>", "--store-password <value>"])
        expect(help.stdout, name).toContain(flag);
      expect(help.stdout).toContain("GITHUB_TOKEN for ghcr.io only");
    }
  });

  it("with no arguments prints usage to stderr and exits 2", async () => {
    const result = await run([], [greet]);
    expect(result.code).toBe(ExitCode.Usage);
    expect(result.stderr).toContain("usage: llmops");
  });
});

describe("the installed llmops binary", () => {
  const bin = fileURLToPath(new URL("../bin/llmops.js", import.meta.url));

  it("answers --help and exit 2 for an unknown command as a real process", () => {
    const help = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("usage: llmops <command>");
    const bad = spawnSync(process.execPath, [bin, "nope"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr.split("\n")[0]).toBe('llmops: unknown command "nope"');
  });
});
