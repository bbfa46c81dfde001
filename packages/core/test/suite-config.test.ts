import { describe, expect, it } from "vitest";
import { suiteSchema } from "../src/config/suite.ts";

const suite = (extra: Record<string, unknown>) => ({
  name: "qa",
  provider: { type: "openai", model: "m" },
  prompt: "{{q}}",
  cases: [{ vars: { q: "x" } }],
  ...extra,
});
const issues = (value: unknown) => {
  const result = suiteSchema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};

describe("suite config", () => {
  it("takes an optional cacheKey, a non-empty string", () => {
    expect(suiteSchema.parse(suite({ cacheKey: "weights-sha256-ab12" })).cacheKey).toBe("weights-sha256-ab12");
    expect(suiteSchema.parse(suite({})).cacheKey).toBeUndefined();
    expect(issues(suite({ cacheKey: "" }))[0]?.path).toBe("cacheKey");
    expect(issues(suite({ cacheKey: 7 }))[0]?.path).toBe("cacheKey");
  });

  it("refuses provider ids that would name a directory's parent or itself, or hold a separator", () => {
    // A provider id is a level of the result directory (`<suite>/<provider id>/`).
    for (const id of ["..", ".", "a/b", "a b"]) {
      const found = issues(suite({ provider: undefined, providers: [{ type: "openai", model: "m", id }] }));
      expect([id, found[0]?.path, found[0]?.message]).toEqual([
        id,
        "providers.0.id",
        "expected a provider id without spaces or /, and not . or ..",
      ]);
    }
    expect(issues(suite({ provider: undefined, providers: [{ type: "openai", model: "m", id: "...x" }] }))).toEqual([]);
  });

  it("suite names cannot be path tricks either", () => {
    for (const name of ["..", ".", "../../etc", "a/b", ".hidden"]) expect(issues(suite({ name }))[0]?.path).toBe("name");
  });
});
