import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { outputDirFor, outputDirName, safePathSegment } from "../../src/results/output-dir.ts";

describe("output directories of suites and variants", () => {
  it("keep a variant's levels and make each part directory-safe", () => {
    expect(outputDirName("qa")).toBe("qa");
    expect(outputDirName("qa/openai:gpt-4o/p1")).toBe("qa/openai_gpt-4o/p1");
    expect(outputDirName("v1.2_x-y")).toBe("v1.2_x-y");
  });

  it.each([
    ["../../etc", "__/__/etc"],
    ["..", "__"],
    [".", "_"],
    ["", "_"],
    ["/etc/passwd", "_/etc/passwd"],
    ["qa/../../../home", "qa/__/__/__/home"],
    ["qa\\..\\..\\x", "qa_.._.._x"],
    ["qa/.../x", "qa/___/x"],
  ])("never climb out or name an absolute path: %j → %j", (name, expected) => {
    expect(outputDirName(name)).toBe(expected);
    const root = join("/work", "out");
    const dir = outputDirFor(root, name);
    expect(dir).toBe(join(root, expected));
    const below = relative(root, dir);
    expect(below.split(sep).every((part) => part !== ".." && part !== "." && part !== "")).toBe(true);
  });

  it("a segment never holds a separator or is only dots", () => {
    for (const text of ["a/b", "a\\b", "..", "....", "a:b", "é", " "]) {
      const segment = safePathSegment(text);
      expect(segment).not.toMatch(/[/\\]/);
      expect(segment).not.toMatch(/^\.*$/);
    }
  });
});
