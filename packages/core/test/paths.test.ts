import { describe, expect, it } from "vitest";
import { isInside } from "../src/paths.ts";

describe("isInside", () => {
  it.each([
    ["/a/b", "/a/b", true],
    ["/a/b/c", "/a/b", true],
    ["/a/b/..x", "/a/b", true],
    ["/a/bc", "/a/b", false],
    ["/a", "/a/b", false],
    ["/a/b/../c", "/a/b", false],
    ["/", "/a", false],
  ])("%s inside %s: %s", (inner, outer, expected) => {
    expect(isInside(inner, outer)).toBe(expected);
  });
});
