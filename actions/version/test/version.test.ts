import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_ARTIFACT_TYPE, readLocatedYaml, recordingLogger, silentLogger } from "@llmops/core";
import { inputName } from "@llmops/github/action-inputs";
import type { ActionContext } from "@llmops/github/action-kit";
import { DatasetChecksFailedError } from "@llmops/operate";
import { openStore } from "@llmops/store";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { readVersionInputs, versionAction, versionInputsSchema, writeVersionOutputs } from "../src/version.ts";

let workspace: string;
// @actions/core keeps the first GITHUB_STEP_SUMMARY it saw for the process: one file for every test here.
let summaryFile: string;
beforeAll(async () => {
  summaryFile = join(await mkdtemp(join(tmpdir(), "llmops-version-summary-")), "summary.md");
});
afterAll(async () => {
  await rm(join(summaryFile, ".."), { recursive: true, force: true });
});
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
    const summary = summaryFile;
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

  describe("dataset checks as a gate, as `llmops version` runs them", () => {
    const DIRTY = '{"id":"a","vars":{"text":"mail me: jane@example.com"},"expected":"ok"}\n';
    const CLEAN = '{"id":"a","vars":{"text":"answer 1"},"expected":"answer 1"}\n';
    const declared = (overrides: Record<string, string> = {}) =>
      readVersionInputs(raw({ path: "", name: "", kind: "", aliases: "", labels: "", ...overrides }));
    const storeOf = () => openStore(join(workspace, "s"), { logger: silentLogger, cwd: workspace, cacheDir: join(workspace, ".cache") });

    beforeEach(async () => {
      await mkdir(join(workspace, "data"));
      await writeFile(
        join(workspace, "llmops.yaml"),
        "store: ./s\nartifacts:\n  team/d: { kind: dataset, path: data, checks: { pii: { max: 0 } } }\n  team/m: { kind: model, path: model }\n",
      );
    });

    it("refuses a declared dataset whose checks fail: nothing stored, the report in the job summary", async () => {
      await writeFile(join(workspace, "data", "train.jsonl"), DIRTY);
      const summary = summaryFile;
      await writeFile(summary, "");
      vi.stubEnv("GITHUB_STEP_SUMMARY", summary);
      const logger = recordingLogger();
      const error = await versionAction(declared(), { workspace, env: {}, logger }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatasetChecksFailedError);
      expect((error as Error).message).toBe("team/d: failed its checks (pii: 1 personal data or secrets (max 0; email 1)); nothing stored");
      const written = await readFile(summary, "utf8");
      expect(written).toContain("### Dataset check: data");
      expect(written).toContain("❌ failed");
      expect(written).not.toContain("jane@");
      // The model declared beside it is not stored either: the gate runs before the first version.
      expect(
        await storeOf()
          .transport.listTags("team/m")
          .catch(() => []),
      ).toEqual([]);
      expect(
        await storeOf()
          .transport.listTags("team/d")
          .catch(() => []),
      ).toEqual([]);

      const unchecked = await versionAction(declared({ check: "false" }), { workspace, env: {}, logger: recordingLogger() });
      expect(unchecked.versions.map((v) => [v.ref, v.check])).toEqual([
        ["team/d:v1", undefined],
        ["team/m:v1", undefined],
      ]);
    });

    it("records a passed check on the version it let through, once while it is unchanged, and reports it in the outputs", async () => {
      await writeFile(join(workspace, "data", "train.jsonl"), CLEAN);
      const context: ActionContext = { workspace, env: {}, logger: recordingLogger() };
      const first = await versionAction(declared(), context);
      const dataset = first.versions.find((v) => v.name === "team/d")!;
      expect(dataset.check).toMatchObject({ passed: true, record: expect.stringMatching(/^sha256:/) });
      expect(first.versions.find((v) => v.name === "team/m")!.check).toBeUndefined();
      const records = await storeOf().listEvidence(await storeOf().resolve("team/d:v1"), CHECK_ARTIFACT_TYPE);
      expect(records.map((r) => r.digest)).toEqual([dataset.check!.record]);

      const again = await versionAction(declared(), context);
      const kept = again.versions.find((v) => v.name === "team/d")!;
      expect([kept.unchanged, kept.check?.passed, kept.check?.record]).toEqual([true, true, undefined]);
      expect(await storeOf().listEvidence(await storeOf().resolve("team/d:v1"), CHECK_ARTIFACT_TYPE)).toHaveLength(1);

      const outputs = join(workspace, "outputs.txt");
      const summary = summaryFile;
      await writeFile(outputs, "");
      await writeFile(summary, "");
      vi.stubEnv("GITHUB_OUTPUT", outputs);
      vi.stubEnv("GITHUB_STEP_SUMMARY", summary);
      vi.spyOn(process.stdout, "write").mockImplementation(() => true);
      await writeVersionOutputs(first);
      const versionsOutput = (await readFile(outputs, "utf8")).match(/versions<<(\S+)\n([\s\S]*?)\n\1/)![2]!;
      expect(JSON.parse(versionsOutput)).toEqual([
        {
          name: "team/d",
          ref: "team/d:v1",
          digest: dataset.digest,
          unchanged: false,
          check: { passed: true, record: dataset.check!.record },
        },
        expect.objectContaining({ name: "team/m", unchanged: false }),
      ]);
      expect(await readFile(summary, "utf8")).toContain("✅ passed");
    });

    it("with a path, checks only with check: true, by the checks: its name declares", async () => {
      await writeFile(join(workspace, "data", "train.jsonl"), DIRTY);
      const context: ActionContext = { workspace, env: {}, logger: recordingLogger() };
      const withPath = (overrides: Record<string, string>) =>
        readVersionInputs(raw({ path: "data", name: "team/d", kind: "dataset", aliases: "", labels: "", ...overrides }));
      await expect(versionAction(withPath({ check: "true" }), context)).rejects.toBeInstanceOf(DatasetChecksFailedError);
      expect(
        await storeOf()
          .transport.listTags("team/d")
          .catch(() => []),
      ).toEqual([]);
      await expect(versionAction(withPath({ check: "true", name: "team/other" }), context)).rejects.toThrow(
        "llmops.yaml declares no artifact team/other with checks:",
      );
      await expect(versionAction(withPath({ check: "true", kind: "model" }), context)).rejects.toThrow(
        "checks apply to a dataset; team/d is versioned as a model",
      );
      const unchecked = await versionAction(withPath({}), context);
      expect(unchecked.versions[0]).toMatchObject({ ref: "team/d:v1" });
      expect(unchecked.versions[0]!.check).toBeUndefined();
      expect(() => readVersionInputs(raw({ check: "yes" }))).toThrow("input check: expected true, false or empty");
      expect([readVersionInputs(raw({ check: "True" })).check, readVersionInputs(raw({ check: "FALSE" })).check]).toEqual([true, false]);
    });
  });
});
