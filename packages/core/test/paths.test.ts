import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../src/errors.ts";
import { isInside, resolveInside } from "../src/paths.ts";

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

describe("resolveInside", () => {
  it("accepts paths inside (missing ones too), refuses absolute, .. and symbolic links out, existing or not", async () => {
    const root = await mkdtemp(join(tmpdir(), "llmops-paths-"));
    try {
      const repo = join(root, "repo");
      await mkdir(join(repo, "data"), { recursive: true });
      await mkdir(join(root, "outside"));
      await writeFile(join(root, "outside", "secret.json"), "{}");
      await symlink(join(root, "outside"), join(repo, "link"));
      await symlink(join(repo, "data"), join(repo, "inner"));
      expect(await resolveInside("data", repo, "x")).toBe(join(repo, "data"));
      expect(await resolveInside("data/new/file.json", repo, "x")).toBe(join(repo, "data/new/file.json"));
      expect(await resolveInside("inner/a.json", repo, "x")).toBe(join(repo, "inner/a.json"));
      expect(await resolveInside("..x", repo, "x")).toBe(join(repo, "..x"));
      const refusals: [string, RegExp][] = [
        ["/etc/passwd", /^x "\/etc\/passwd" is absolute/],
        ["C:\\Windows", /is absolute/],
        ["../outside/secret.json", /leads outside/],
        ["link/secret.json", /leads outside .* through a symbolic link/],
        ["link/missing.json", /leads outside .* through a symbolic link/],
        ["link/deeper/missing.json", /leads outside .* through a symbolic link/],
      ];
      for (const [path, message] of refusals) {
        const error = await resolveInside(path, repo, "x").catch((e: unknown) => e);
        expect(error, path).toBeInstanceOf(InputError);
        expect((error as Error).message, path).toMatch(message);
        expect((error as Error).message, path).not.toContain(join(root, "outside"));
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
