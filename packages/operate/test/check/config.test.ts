import { join } from "node:path";
import { ConfigError, checksConfigSchema, loadConfig } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { tempDir, writeFiles } from "./helpers.ts";

describe("checks: in llmops.yaml", () => {
  it("gives every check its default when absent", () => {
    const config = checksConfigSchema.parse({});
    expect(config).toMatchObject({
      maxLineBytes: 16 * 1024 * 1024,
      maxListed: 100,
      schema: { severity: "error", max: 0 },
      duplicates: { threshold: 0.8, shingle: 3, permutations: 128, near: true, severity: "warn", max: 0 },
      contamination: { against: [], ngram: 13, near: true, severity: "error", max: 0 },
      pii: { kinds: ["email", "phone", "credit-card", "iban", "ip-address", "secret"], severity: "error", max: 0 },
    });
    expect(config.required).toBeUndefined();
    expect(config.labels).toBeUndefined();
  });

  it("reads the short forms: a schema file as a string, required fields as a list", () => {
    const config = checksConfigSchema.parse({
      schema: "rows.schema.json",
      required: ["question", "expected"],
      labels: { field: "label", values: [1, true, "x"] },
    });
    expect(config.schema).toEqual({ file: "rows.schema.json", severity: "error", max: 0 });
    expect(config.required).toEqual({ fields: ["question", "expected"], severity: "error", max: 0 });
    expect(config.labels?.values).toEqual(["1", "true", "x"]);
  });

  it("locates a bad value at its line in llmops.yaml", async () => {
    const dir = await writeFiles(await tempDir(), {
      "llmops.yaml": [
        "artifacts:",
        "  acme/train:",
        "    kind: dataset",
        "    path: data",
        "    checks:",
        "      pii: { kinds: [email, ssn] }",
        "",
      ].join("\n"),
    });
    const error = await loadConfig(join(dir, "llmops.yaml")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).location?.line).toBe(6);
    expect((error as ConfigError).yamlPath).toBe("artifacts.acme/train.checks.pii.kinds[1]");
  });
});
