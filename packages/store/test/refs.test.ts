import { InputError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { parseRef } from "../src/refs.ts";

describe("parseRef", () => {
  it("reads name:alias, name:vN, name@digest and a bare name", () => {
    expect(parseRef("team/model:prod")).toEqual({ name: "team/model", tag: "prod" });
    expect(parseRef("m:v3")).toEqual({ name: "m", tag: "v3" });
    expect(parseRef(`m@sha256:${"a".repeat(64)}`)).toEqual({ name: "m", digest: `sha256:${"a".repeat(64)}` });
    expect(parseRef("m")).toEqual({ name: "m", tag: "latest" });
  });

  it.each(["", "Model:v1", "m:", "m:-x", "m@sha256:abc", "m@md5:" + "a".repeat(32), "a//b:v1", "m:has space", ":v1"])(
    "refuses %j with a one-line InputError",
    (ref) => {
      expect(() => parseRef(ref)).toThrow(InputError);
      try {
        parseRef(ref);
      } catch (error) {
        expect((error as Error).message).not.toContain("\n");
        expect((error as InputError).exitCode).toBe(2);
      }
    },
  );
});
