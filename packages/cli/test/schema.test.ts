import { readFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../src/commands/schema.ts";
import { main } from "../src/main.ts";

const COMMITTED = fileURLToPath(new URL("../../../schema/llmops.schema.json", import.meta.url));

describe("llmops schema", () => {
  it("the committed schema/llmops.schema.json equals a fresh generation (run `pnpm llmops schema --out schema/llmops.schema.json`)", async () => {
    expect(await readFile(COMMITTED, "utf8")).toBe(configJsonSchema());
  });

  it("prints the schema on stdout", async () => {
    const chunks: Buffer[] = [];
    const stdout = new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback();
      },
    });
    const code = await main(["schema"], { stdout, stderr: stdout });
    expect(code).toBe(0);
    const schema = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    // Strict objects: editors flag unknown keys as the loader does.
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["store", "artifacts", "suites", "environments"]));
  });

  it("describes environments; a smoke provider is an open object, so editors accept {{environment.url}} where a URL goes", () => {
    const schema = JSON.parse(configJsonSchema());
    const environment = schema.properties.environments.additionalProperties;
    expect(Object.keys(environment.properties)).toEqual(
      expect.arrayContaining(["artifact", "alias", "url", "requires", "targets", "smoke", "rollback"]),
    );
    expect(environment.additionalProperties).toBe(false);
    expect(environment.properties.smoke.properties.provider).toMatchObject({
      type: "object",
      required: ["type"],
      additionalProperties: {},
    });
    expect(schema.properties.notify.properties.webhook.properties.url.format).toBeUndefined();
  });
});
