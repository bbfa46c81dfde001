import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readLocatedYaml, recordingLogger } from "@llmops/core";
import { inputName } from "@llmops/github/action-inputs";
import type { ActionContext } from "@llmops/github/action-kit";
import { DestinationNotEmptyError, openStore } from "@llmops/store";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fetchAction, fetchInputsSchema, readFetchInputs, writeFetchOutputs } from "../src/fetch.ts";

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(join(tmpdir(), "llmops-fetch-action-"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await rm(workspace, { recursive: true, force: true });
});

const raw = (overrides: Record<string, string> = {}) => {
  const values: Record<string, string> = {
    ref: "team/m:latest",
    path: "out",
    store: "./store",
    replace: "false",
    "store-username": "",
    "store-password": "",
    cache: "false",
    ...overrides,
  };
  return (name: string) => values[name] ?? "";
};

describe("actions/fetch without the runner", () => {
  it("reads exactly the inputs action.yml declares", async () => {
    const { value } = await readLocatedYaml(join(import.meta.dirname, "..", "action.yml"));
    const declared = Object.keys((value as { inputs: object }).inputs).sort();
    expect(Object.keys(fetchInputsSchema.shape).map(inputName).sort()).toEqual(declared);
  });

  it("parses its inputs, naming a bad one as action.yml does", () => {
    expect(readFetchInputs(raw({ cache: "TRUE" }))).toMatchObject({ ref: "team/m:latest", path: "out", cache: true, replace: false });
    expect(readFetchInputs(raw({ replace: "true" })).replace).toBe(true);
    expect(() => readFetchInputs(raw({ replace: "yes" }))).toThrow("input replace: expected true or false");
    expect(() => readFetchInputs(raw({ cache: "yes" }))).toThrow("input cache: expected true or false");
    expect(() => readFetchInputs(raw({ ref: "" }))).toThrow("input ref: expected name:alias, name:vN or name@sha256:...");
  });

  it("leaves the destination holding exactly the version, and writes outputs and the summary", async () => {
    await mkdir(join(workspace, "model"));
    await writeFile(join(workspace, "model", "a.txt"), "a");
    const logger = recordingLogger();
    const store = openStore("./store", { logger, cwd: workspace, env: {} });
    const version = await store.version({ path: "model", name: "team/m", kind: "model", aliases: ["latest"] });
    await mkdir(join(workspace, "out"));
    await writeFile(join(workspace, "out", "stale.txt"), "not in the version");

    const context: ActionContext = { workspace, env: { LLMOPS_CACHE_DIR: join(workspace, "cache") }, logger };
    const result = await fetchAction(readFetchInputs(raw({ replace: "true" })), context);
    expect(result.store).toBe("./store");
    expect(result.fetched).toMatchObject({ digest: version.digest, version: "v1", path: join(workspace, "out") });
    expect(await readFile(join(workspace, "out", "a.txt"), "utf8")).toBe("a");
    await expect(readFile(join(workspace, "out", "stale.txt"))).rejects.toThrow();

    const outputs = join(workspace, "outputs.txt");
    const summary = join(workspace, "summary.md");
    await writeFile(outputs, "");
    await writeFile(summary, "");
    vi.stubEnv("GITHUB_OUTPUT", outputs);
    vi.stubEnv("GITHUB_STEP_SUMMARY", summary);
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    await writeFetchOutputs(result);
    const written = await readFile(outputs, "utf8");
    for (const name of ["digest", "version", "path", "downloaded-bytes"]) expect(written).toContain(`${name}<<`);
    expect(await readFile(summary, "utf8")).toContain(version.digest);
  });

  it("refuses a non-empty path no fetch wrote unless replace is true, naming the input; an earlier fetch's path needs nothing", async () => {
    await mkdir(join(workspace, "model"));
    await writeFile(join(workspace, "model", "a.txt"), "a");
    const logger = recordingLogger();
    const env = { LLMOPS_CACHE_DIR: join(workspace, "cache") };
    const store = openStore("./store", { logger, cwd: workspace, env });
    await store.version({ path: "model", name: "team/m", kind: "model", aliases: ["latest"] });
    await mkdir(join(workspace, "out"));
    await writeFile(join(workspace, "out", "notes.txt"), "mine");
    const context: ActionContext = { workspace, env, logger };

    const error = await fetchAction(readFetchInputs(raw()), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationNotEmptyError);
    expect((error as Error).message).toBe(
      `destination ${join(workspace, "out")} is not empty and was not written by llmops fetch; set the input replace: true to make it hold exactly team/m:latest (files not in it are removed)`,
    );
    expect(await readFile(join(workspace, "out", "notes.txt"), "utf8")).toBe("mine");

    await fetchAction(readFetchInputs(raw({ path: "fresh" })), context);
    await writeFile(join(workspace, "model", "b.txt"), "b");
    await store.version({ path: "model", name: "team/m", kind: "model", aliases: ["latest"] });
    const again = await fetchAction(readFetchInputs(raw({ path: "fresh" })), context);
    expect(again.fetched.version).toBe("v2");
    expect(await readFile(join(workspace, "fresh", "b.txt"), "utf8")).toBe("b");
  });

  it("include: one glob per line fetches only the matching files; a bad glob or one matching nothing is refused", async () => {
    await mkdir(join(workspace, "model", "tok"), { recursive: true });
    await writeFile(join(workspace, "model", "a.txt"), "a");
    await writeFile(join(workspace, "model", "b.md"), "b");
    await writeFile(join(workspace, "model", "tok", "v.txt"), "v");
    const logger = recordingLogger();
    const env = { LLMOPS_CACHE_DIR: join(workspace, "cache") };
    const store = openStore("./store", { logger, cwd: workspace, env });
    await store.version({ path: "model", name: "team/m", kind: "model", aliases: ["latest"] });
    const context: ActionContext = { workspace, env, logger };

    expect(readFetchInputs(raw({ include: "tok/**\n\n  *.md  \n" })).include).toEqual(["tok/**", "*.md"]);
    expect(readFetchInputs(raw()).include).toEqual([]);
    const result = await fetchAction(readFetchInputs(raw({ include: "tok/**\n*.md" })), context);
    expect(result.fetched.files.map((f) => f.title).sort()).toEqual(["b.md", "tok/v.txt"]);
    await expect(readFile(join(workspace, "out", "a.txt"))).rejects.toThrow();

    expect(() => readFetchInputs(raw({ include: "../x" }))).toThrow(/--include "\.\.\/x"/);
    const none = await fetchAction(readFetchInputs(raw({ include: "nothing/**" })), context).catch((e: unknown) => e);
    expect((none as Error).message).toMatch(/--include "nothing\/\*\*": matches no file of the version/);
    expect(await readFile(join(workspace, "out", "b.md"), "utf8")).toBe("b");
  });
});
