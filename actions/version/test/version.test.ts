import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLocatedYaml, recordingLogger } from "@llmops/core";
import { inputName } from "@llmops/github/action-inputs";
import type { ActionContext } from "@llmops/github/action-kit";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readVersionInputs, versionAction, versionInputsSchema, writeVersionOutputs } from "../src/version.ts";

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), "llmops-version-action-"));
  await mkdir(join(workspace, "model"));
  await writeFile(join(workspace, "model", "weights.bin"), "weights");
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(workspace, { recursive: true, force: true });
});

const raw = (overrides: Record<string, string> = {}) => {
  const values: Record<string, string> = {
    path: "model",
    name: "team/m",
    kind: "model",
    parents: "",
    aliases: "latest,\ncandidate",
    labels: "task=clf\nowner=a=b",
    artifacts: "",
    config: "llmops.yaml",
    store: "",
    "store-username": "",
    "store-password": "ghs_job",
    ...overrides,
  };
  return (name: string) => values[name] ?? "";
};

describe("actions/version without the runner", () => {
  it("reads exactly the inputs action.yml declares", async () => {
    const { value } = await readLocatedYaml(join(import.meta.dirname, "..", "action.yml"));
    const declared = Object.keys((value as { inputs: object }).inputs).sort();
    expect(Object.keys(versionInputsSchema.shape).map(inputName).sort()).toEqual(declared);
  });

  it("parses lists and key=value labels, and names a bad input as action.yml does", () => {
    expect(readVersionInputs(raw())).toMatchObject({ aliases: ["latest", "candidate"], labels: ["task=clf", "owner=a=b"] });
    expect(() => readVersionInputs(raw({ kind: "weights" }))).toThrow("input kind: expected model or dataset");
    expect(() => readVersionInputs(raw({ labels: "nokey" }))).toThrow("input labels: expected key=value");
  });

  it("versions into the store llmops.yaml names, with provenance, and returns the result for the outputs", async () => {
    await writeFile(join(workspace, "llmops.yaml"), "store: ./configured\n");
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_REPOSITORY: "o/r",
      GITHUB_SHA: "abc",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_RUN_ID: "9",
    };
    const logger = recordingLogger();
    const context: ActionContext = { workspace, env, logger };
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const result = await versionAction(readVersionInputs(raw()), context);
    expect(result.store).toBe("./configured");
    expect(result.versions).toEqual([expect.objectContaining({ ref: "team/m:v1", aliases: ["latest", "candidate"], reusedBytes: 0 })]);
    expect(logger.lines[0]).toEqual({ level: "info", message: "store ./configured (llmops.yaml store:)" });

    const outputs = join(workspace, "outputs.txt");
    const summary = join(workspace, "summary.md");
    await writeFile(outputs, "");
    await writeFile(summary, "");
    vi.stubEnv("GITHUB_OUTPUT", outputs);
    vi.stubEnv("GITHUB_STEP_SUMMARY", summary);
    await writeVersionOutputs(result);
    const written = await readFile(outputs, "utf8");
    for (const name of ["digest", "version", "ref", "versions", "uploaded-bytes", "reused-bytes", "store"])
      expect(written).toContain(`${name}<<`);
    expect(written).toContain(result.versions[0]!.digest);
    expect(await readFile(summary, "utf8")).toContain("#### Files");
  });

  it("without a path, versions every declared artifact, and keeps unchanged ones", async () => {
    await mkdir(join(workspace, "data"));
    await writeFile(join(workspace, "data", "train.jsonl"), "{}\n");
    await writeFile(
      join(workspace, "llmops.yaml"),
      "store: ./s\nartifacts:\n  team/m: { kind: model, path: model, parents: [team/d:latest] }\n  team/d: { kind: dataset, path: data, aliases: [latest] }\n",
    );
    const context: ActionContext = { workspace, env: {}, logger: recordingLogger() };
    const declared = raw({ path: "", name: "", kind: "", aliases: "", labels: "" });
    const first = await versionAction(readVersionInputs(declared), context);
    expect(first.versions.map((v) => [v.ref, v.unchanged ?? false])).toEqual([
      ["team/d:v1", false],
      ["team/m:v1", false],
    ]);
    const again = await versionAction(readVersionInputs(declared), context);
    expect(again.versions.map((v) => [v.ref, v.unchanged])).toEqual([
      ["team/d:v1", true],
      ["team/m:v1", true],
    ]);
    const only = await versionAction(
      readVersionInputs(raw({ path: "", name: "", kind: "", aliases: "", labels: "", artifacts: "team/d" })),
      context,
    );
    expect(only.versions.map((v) => v.ref)).toEqual(["team/d:v1"]);
    await expect(versionAction(readVersionInputs(raw({ path: "", kind: "", aliases: "", labels: "" })), context)).rejects.toThrow(
      "input name: needs a path; declared artifacts take theirs from llmops.yaml",
    );
    await expect(versionAction(readVersionInputs(raw({ kind: "" })), context)).rejects.toThrow(
      "input kind: expected model or dataset with a path",
    );
  });
});
