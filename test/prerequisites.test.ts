import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  aptInstallLine,
  checkPrerequisites,
  compareVersions,
  describeProblems,
  isDebianLike,
  loadPrerequisites,
  type Prerequisite,
  packagesFor,
  probe,
  requireProgram,
} from "./src/prerequisites.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "llmops-prereq-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A directory holding fake programs that print `output` for any arguments. */
function fakeBin(name: string, programs: Record<string, string>): string {
  const dir = join(scratch, name);
  spawnSync("mkdir", ["-p", dir]);
  for (const [binary, output] of Object.entries(programs)) {
    writeFileSync(join(dir, binary), `#!/bin/sh\necho '${output}'\n`);
    chmodSync(join(dir, binary), 0o755);
  }
  return dir;
}

const skopeo: Prerequisite = {
  binary: "skopeo",
  package: "skopeo",
  minVersion: "1.9",
  version: { args: ["--version"], pattern: "version (\\d+\\.\\d+(?:\\.\\d+)?)" },
  purpose: "test",
  usedBy: ["x"],
};
const htpasswd: Prerequisite = { binary: "htpasswd", package: "apache2-utils", purpose: "test", usedBy: ["x"] };

describe("the prerequisites list", () => {
  const programs = loadPrerequisites();

  it("names each binary once", () => {
    const binaries = programs.map((p) => p.binary);
    expect(new Set(binaries).size).toBe(binaries.length);
  });

  it.each(programs.map((p) => [p.binary, p] as const))("%s: every usedBy file exists and runs it", (binary, program) => {
    for (const file of program.usedBy) {
      const text = readFileSync(join(root, file), "utf8");
      // By name (requireProgram("x"), or a bench's execFileSync("x")), or through the helper of the same name (skopeo(...)).
      const name = binary.replace(/[.-]/g, "\\$&");
      expect(text, `${file} should run ${binary}`).toMatch(new RegExp(`"${name}"|\\b${name}\\(`));
    }
  });

  it("rejects a malformed entry with the file and the field", () => {
    const file = join(scratch, "bad.yaml");
    writeFileSync(file, "programs:\n  - binary: skopeo\n    package: Skopeo!\n    purpose: x\n    usedBy: [a]\n");
    expect(() => loadPrerequisites(file)).toThrow(/bad\.yaml: .*package/);
  });
});

describe("checking a machine", () => {
  it("compares dotted versions numerically (1.10 is newer than 1.9)", () => {
    expect(compareVersions("1.10", "1.9")).toBeGreaterThan(0);
    expect(compareVersions("2.8", "2.8.0")).toBe(0);
    expect(compareVersions("2.7.9", "2.8")).toBeLessThan(0);
  });

  it("finds a program missing, too old, or good", () => {
    const old = fakeBin("old", { skopeo: "skopeo version 1.4.1" });
    const good = fakeBin("good", { skopeo: "skopeo version 1.10.0", htpasswd: "" });
    expect(probe(skopeo, join(scratch, "empty"))).toEqual({ program: skopeo });
    expect(probe(skopeo, old)).toEqual({ program: skopeo, found: "1.4.1" });
    expect(probe(skopeo, good)).toBeUndefined();
    expect(probe(htpasswd, good)).toBeUndefined();
  });

  it("says in one line what is missing and the single apt-get line that fixes it", () => {
    const old = fakeBin("old2", { skopeo: "skopeo version 1.4.1" });
    const twice: Prerequisite = { ...htpasswd, binary: "htdigest" }; // same package as htpasswd
    const problems = checkPrerequisites([skopeo, htpasswd, twice], old);
    expect(packagesFor(problems)).toEqual(["skopeo", "apache2-utils"]);
    const message = describeProblems(problems);
    expect(message).not.toContain("\n");
    expect(message).toBe(
      "the tests need programs this machine lacks: skopeo 1.4.1 (need >= 1.9), htpasswd (not found), htdigest (not found); " +
        "install them with: sudo apt-get install -y skopeo apache2-utils",
    );
    expect(aptInstallLine(["a", "b"])).toBe("sudo apt-get install -y a b");
  });

  it("recognises Debian and Ubuntu from os-release, and nothing else", () => {
    const write = (name: string, text: string) => {
      writeFileSync(join(scratch, name), text);
      return join(scratch, name);
    };
    expect(isDebianLike(write("debian", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'))).toBe(true);
    expect(isDebianLike(write("ubuntu", "ID=ubuntu\nID_LIKE=debian\n"))).toBe(true);
    expect(isDebianLike(write("mint", 'ID=linuxmint\nID_LIKE="ubuntu debian"\n'))).toBe(true);
    expect(isDebianLike(write("fedora", 'ID=fedora\nID_LIKE="rhel centos"\n'))).toBe(false);
    expect(isDebianLike(join(scratch, "absent"))).toBe(false);
  });

  it("requireProgram returns the path of a listed program and refuses unlisted ones", () => {
    expect(requireProgram("skopeo")).toMatch(/\/skopeo$/);
    expect(() => requireProgram("definitely-not-listed")).toThrow(/not listed in .*prerequisites\.yaml/);
  });
});

describe("the preflight script", () => {
  // The real Node binary: the pnpm shim needs coreutils on PATH, which these runs take away.
  const node = realpathSync(process.execPath);
  const run = (args: string[], path: string) =>
    spawnSync(node, [join(root, "scripts/preflight.ts"), ...args], { encoding: "utf8", env: { PATH: path } });

  it("stops with exit 2 and one message, no stack trace, when programs are missing", () => {
    const result = run(["--no-install"], join(scratch, "empty"));
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^preflight: the tests need programs this machine lacks: docker-registry \(not found\), /);
    expect(lines[0]).toContain(`install them with: ${aptInstallLine(packagesFor(loadPrerequisites().map((program) => ({ program }))))}`);
  });

  it("prints the packages to install for a sudo step, and nothing when all are there", () => {
    expect(run(["--missing-packages"], join(scratch, "empty")).stdout).toBe(
      "docker-registry skopeo apache2-utils openssl chromium haproxy prometheus prometheus-pushgateway\n",
    );
    expect(run(["--missing-packages"], process.env.PATH ?? "").stdout).toBe("");
  });

  it("passes silently when everything is installed", () => {
    const result = run(["--no-install"], process.env.PATH ?? "");
    expect([result.status, result.stderr]).toEqual([0, ""]);
  });
});
