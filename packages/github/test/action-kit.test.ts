import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError, recordingLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { actionInput, inputName, parseActionInputs, readActionInputs } from "../src/action-inputs.ts";
import { type ActionContext, actionContext, chooseActionStore, openActionStore, runAction, storeInputs } from "../src/action-kit.ts";

let stdout: string[];
beforeEach(() => {
  stdout = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

const lines = () => stdout.join("").split("\n").filter(Boolean);

describe("runAction", () => {
  it("leaves the exit code alone when main succeeds", async () => {
    await runAction(async () => {});
    expect(process.exitCode).toBeUndefined();
    expect(lines()).toEqual([]);
  });

  it("fails the step with the error's message on one line, exit code 1, and never rejects", async () => {
    const error = new InputError("path model:\n  not found");
    await expect(runAction(() => Promise.reject(error))).resolves.toBeUndefined();
    expect(process.exitCode).toBe(1);
    expect(lines().filter((l) => l.startsWith("::error"))).toEqual(["::error::path model: not found"]);
    // The stack is for step debug logging only.
    expect(lines().some((l) => l.startsWith("::debug::") && l.includes("path model:"))).toBe(true);
  });

  it("catches a synchronous throw and a non-Error", async () => {
    await runAction(() => {
      throw "plain string";
    });
    expect(process.exitCode).toBe(1);
    expect(lines()).toContain("::error::plain string");
  });
});

describe("input helpers", () => {
  const schema = z.object({
    path: actionInput.required("a directory"),
    failOnGate: actionInput.boolean(),
    suites: actionInput.list(),
    merge: actionInput.lines(),
    ...storeInputs,
  });
  const raw: Record<string, string> = {
    path: "model",
    "fail-on-gate": " TRUE ",
    suites: "a, b\nc,,",
    merge: "shards/*\n\n out/* \n",
    store: "",
    "store-username": "",
    "store-password": "",
  };

  it("read every schema key by its action.yml name and parse booleans, lists and lines once", () => {
    expect(inputName("storePassword")).toBe("store-password");
    const seen: string[] = [];
    const inputs = readActionInputs(schema, (name) => {
      seen.push(name);
      return raw[name] ?? "";
    });
    expect(seen.sort()).toEqual(Object.keys(raw).sort());
    expect(inputs).toEqual({
      path: "model",
      failOnGate: true,
      suites: ["a", "b", "c"],
      merge: ["shards/*", "out/*"],
      store: "",
      storeUsername: "",
      storePassword: "",
    });
  });

  it("name the input as action.yml spells it in the one-line error", () => {
    expect(() => readActionInputs(schema, (name) => (name === "fail-on-gate" ? "yes" : (raw[name] ?? "")))).toThrow(
      "input fail-on-gate: expected true or false",
    );
    expect(() => parseActionInputs(schema, { ...raw, path: "" })).toThrow("input path: expected a directory");
    const labels = z.object({ labels: actionInput.lines().pipe(z.array(z.string().regex(/=/, "expected key=value"))) });
    expect(() => parseActionInputs(labels, { labels: "a=1\nb" })).toThrow("input labels: expected key=value");
  });

  it("reads the real INPUT_* variables by default", () => {
    vi.stubEnv("INPUT_FLAG", "false");
    try {
      expect(readActionInputs(z.object({ flag: actionInput.boolean() }))).toEqual({ flag: false });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("the action's context and store", () => {
  let workspace: string;
  beforeEach(async () => {
    workspace = await mkdtemp(join(tmpdir(), "llmops-kit-"));
  });
  afterEach(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("takes the workspace and the run URL from the runner's variables", () => {
    const context = actionContext({
      GITHUB_WORKSPACE: workspace,
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_REPOSITORY: "o/r",
      GITHUB_RUN_ID: "7",
    });
    expect(context.workspace).toBe(workspace);
    expect(context.runUrl).toBe("https://github.com/o/r/actions/runs/7");
    expect(actionContext({}).workspace).toBe(process.cwd());
  });

  it("masks every credential, used or not, before anything is logged, and logs the choice without secrets", async () => {
    const logger = recordingLogger();
    const env = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "Octo/Repo", LLMOPS_REGISTRY_TOKEN: "env-registry-token" };
    const context: ActionContext = { workspace, env, logger };
    const choice = await chooseActionStore({ store: "oci://127.0.0.1:9/team", storeUsername: "", storePassword: "ghs_job" }, context);
    expect(choice).toMatchObject({ source: "input", authSource: "env", auth: { token: "env-registry-token" } });
    expect(lines()).toEqual(["::add-mask::ghs_job", "::add-mask::env-registry-token"]);
    openActionStore(choice, context);
    expect(logger.lines).toEqual([{ level: "info", message: "store oci://127.0.0.1:9/team (given, credentials from LLMOPS_REGISTRY_*)" }]);
  });

  it("reads store: from the given config file, and puts the GHCR default on the test host", async () => {
    await writeFile(join(workspace, "eval.yaml"), "store: ./from-config\n");
    const env = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "Octo/Repo", LLMOPS_TEST_GHCR_HOST: "127.0.0.1:5999" };
    const context: ActionContext = { workspace, env, logger: recordingLogger() };
    const inputs = { store: "", storeUsername: "", storePassword: "ghs_job" };
    expect(await chooseActionStore(inputs, context, "eval.yaml")).toMatchObject({ spec: "./from-config", source: "config" });
    expect(await chooseActionStore(inputs, context)).toMatchObject({
      spec: "oci://127.0.0.1:5999/octo/repo",
      auth: { token: "ghs_job", username: "github-actions" },
      authSource: "github-token",
    });
  });
});
