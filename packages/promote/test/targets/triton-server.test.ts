import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startTritonServer, type TritonServer } from "@llmops/test/triton-server";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.ts";

const servers: TritonServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start() {
  const root = await tempDir();
  await mkdir(join(root, "sentiment", "1"), { recursive: true });
  await mkdir(join(root, "sentiment", "2"), { recursive: true });
  await mkdir(join(root, "sentiment", "03"), { recursive: true });
  const triton = await startTritonServer({ repositoryRoot: root });
  servers.push(triton);
  const post = async (path: string, body?: string, method = "POST") => {
    const response = await fetch(`${triton.url}${path}`, { method, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };
  return { root, triton, post };
}

describe("Triton stand-in: the model repository extension's request shapes", () => {
  it("loads the versions the policy selects (default latest 1; leading zeros ignored), and indexes them", async () => {
    const { root, triton, post } = await start();
    expect(await post("/v2/repository/models/sentiment/load")).toEqual({ status: 200, json: null });
    expect(triton.loaded.get("sentiment")).toEqual([2]);
    await writeFile(
      join(root, "sentiment", "config.pbtxt"),
      'name: "sentiment"\nversion_policy: { specific: { versions: [1, 2, 5] } }  # 5 is absent\n',
    );
    expect((await post("/v2/repository/models/sentiment/load", '{"parameters":{}}')).status).toBe(200);
    expect(triton.loaded.get("sentiment")).toEqual([1, 2]);
    expect(await post("/v2/repository/index", '{"ready":true}')).toEqual({
      status: 200,
      json: [
        { name: "sentiment", version: "1", state: "READY", reason: "" },
        { name: "sentiment", version: "2", state: "READY", reason: "" },
      ],
    });
    expect((await post("/v2/repository/models/sentiment/unload", '{"parameters":{"unload_dependents":false}}')).status).toBe(200);
    expect((await post("/v2/repository/index")).json).toEqual([{ name: "sentiment", state: "UNAVAILABLE", reason: "unloaded" }]);
  });

  it("answers what Triton does not accept with Triton's statuses and {error}", async () => {
    const { root, post } = await start();
    expect(await post("/v2/repository/models/sentiment/load", undefined, "PUT")).toEqual({
      status: 405,
      json: { error: "Method Not Allowed" },
    });
    expect((await post("/v2/repository/models/sentiment/reload")).status).toBe(404);
    expect((await post("/v2/repository/models/sentiment/load", "{not json")).status).toBe(400);
    expect((await post("/v2/repository/models/sentiment/load", '{"version": 2}')).json.error).toMatch(/unexpected field 'version'/);
    expect((await post("/v2/repository/models/sentiment/load", '{"parameters":{"config":5}}')).status).toBe(400);
    expect((await post("/v2/repository/index", '{"ready":"yes"}')).json).toEqual({
      error: "Invalid value for 'ready': expected a boolean",
    });
    expect((await post("/v2/repository/other/models/sentiment/load")).status).toBe(501);
    expect(await post("/v2/repository/models/absent/load")).toEqual({
      status: 500,
      json: { error: "failed to load 'absent', failed to poll from model repository" },
    });
    await writeFile(join(root, "sentiment", "config.pbtxt"), "version_policy: { specific: { versions: [9] } }\n");
    expect(await post("/v2/repository/models/sentiment/load")).toEqual({
      status: 400,
      json: { error: "at least one version must be available under the version policy of model 'sentiment'" },
    });
  });
});
