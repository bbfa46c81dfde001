// Checks the programs the tests need (test/prerequisites.yaml) before any test starts.
//
//   node scripts/preflight.ts                   check; as root on Debian/Ubuntu install what is missing
//   node scripts/preflight.ts --no-install      check only
//   node scripts/preflight.ts --missing-packages print the Debian packages to install (for CI with sudo)
//   node scripts/preflight.ts --write-readme    regenerate the README's prerequisites block
//
// Exit 0 when everything is there, 2 with one message when something is missing and cannot be
// installed here, 3 when apt-get itself fails.
import { spawnSync } from "node:child_process";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  checkPrerequisites,
  describeProblems,
  isDebianLike,
  loadPrerequisites,
  packagesFor,
  renderReadmePrerequisites,
  replaceReadmePrerequisites,
} from "../test/src/prerequisites.ts";

const { values } = parseArgs({
  options: {
    "no-install": { type: "boolean", default: false },
    "missing-packages": { type: "boolean", default: false },
    "write-readme": { type: "boolean", default: false },
  },
});

const programs = loadPrerequisites();

if (values["write-readme"]) {
  const readmePath = new URL("../README.md", import.meta.url);
  const next = replaceReadmePrerequisites(readFileSync(readmePath, "utf8"), renderReadmePrerequisites(programs));
  const temp = new URL(`../README.md.${process.pid}.tmp`, import.meta.url);
  writeFileSync(temp, next);
  renameSync(temp, readmePath);
  process.exit(0);
}

let problems = checkPrerequisites(programs);

if (values["missing-packages"]) {
  if (problems.length) process.stdout.write(`${packagesFor(problems).join(" ")}\n`);
  process.exit(0);
}

const canInstall = !values["no-install"] && process.getuid?.() === 0 && isDebianLike();
if (problems.length && canInstall) {
  const packages = packagesFor(problems);
  process.stderr.write(`preflight: installing ${packages.join(" ")} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [
    ["update", "-qq"],
    ["install", "-y", "-qq", "--no-install-recommends", ...packages],
  ]) {
    const run = spawnSync("apt-get", args, { stdio: ["ignore", 2, 2], env });
    if (run.status !== 0) {
      process.stderr.write(`preflight: apt-get ${args[0]} failed (exit ${run.status ?? run.signal}); ${describeProblems(problems)}\n`);
      process.exit(3);
    }
  }
  problems = checkPrerequisites(programs);
}

if (problems.length) {
  process.stderr.write(`preflight: ${describeProblems(problems)}\n`);
  process.exit(2);
}
