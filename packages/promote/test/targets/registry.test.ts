import { InputError, type TargetConfig, targetConfigSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { createTarget, TARGET_FACTORIES, TARGET_TYPES } from "../../src/targets/index.ts";

/** The smallest valid config of each type, parsed by the schema (defaults filled in). */
const MINIMAL: Record<string, unknown> = {
  "model-repository": { type: "model-repository", root: "models" },
  gitops: { type: "gitops", path: "isvc.yaml", preset: "kserve", reference: "oci://ghcr.io/acme/{{name}}@{{digest}}" },
  webhook: { type: "webhook", url: "https://hooks.example/deploy" },
  command: { type: "command", argv: ["./deploy.sh"] },
};

describe("target registry", () => {
  const schemaTypes = targetConfigSchema.options.map((option) => option.shape.type.value).sort();

  it("has a target for every type of the config schema's discriminated union, and no other", () => {
    expect([...TARGET_TYPES].sort()).toEqual(schemaTypes);
    expect(Object.keys(TARGET_FACTORIES).sort()).toEqual(schemaTypes);
    expect(Object.keys(MINIMAL).sort()).toEqual(schemaTypes);
  });

  it.each(schemaTypes)("createTarget builds %s from a parsed config", (type) => {
    const config = targetConfigSchema.parse(MINIMAL[type]) as TargetConfig;
    const target = createTarget(config);
    expect(target.type).toBe(type);
    expect(typeof target.apply).toBe("function");
    expect(typeof target.rollback).toBe("function");
  });

  it("refuses a type it does not know, naming the ones it does", () => {
    expect(() => createTarget({ type: "ftp" } as unknown as TargetConfig)).toThrow(InputError);
    expect(() => createTarget({ type: "toString" } as unknown as TargetConfig)).toThrow(
      'target type "toString" has no implementation; expected one of model-repository, gitops, webhook, command',
    );
  });
});
