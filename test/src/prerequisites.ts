import { execFileSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { z } from "zod";

/** The one list of programs outside npm that the tests need (see the file's header). */
export const prerequisitesFile = fileURLToPath(new URL("../prerequisites.yaml", import.meta.url));

const versionRule = z.strictObject({ args: z.array(z.string()).min(1), pattern: z.string().min(1) });

const programSchema = z
  .strictObject({
    binary: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    package: z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, "a Debian package name"),
    minVersion: z
      .string()
      .regex(/^\d+(\.\d+)*$/)
      .optional(),
    version: versionRule.optional(),
    purpose: z.string().min(1),
    usedBy: z.array(z.string().min(1)).min(1),
  })
  .refine((p) => (p.minVersion === undefined) === (p.version === undefined), "minVersion and version go together");

export type Prerequisite = z.infer<typeof programSchema>;

const fileSchema = z.strictObject({ programs: z.array(programSchema).min(1) });

export function loadPrerequisites(file = prerequisitesFile): Prerequisite[] {
  const parsed = fileSchema.safeParse(parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file}: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}`);
  return parsed.data.programs;
}

/** What is wrong with one program on this machine. */
export interface PrerequisiteProblem {
  program: Prerequisite;
  /** The version found, when the program is there but older than `minVersion`. */
  found?: string;
}

/** The absolute path of `binary` on `PATH`, like `command -v` but without a shell. */
export function findOnPath(binary: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Compares dotted numeric versions: negative when a < b. Missing components count as 0. */
export function compareVersions(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function installedVersion(path: string, rule: z.infer<typeof versionRule>): string | undefined {
  let text: string;
  try {
    text = execFileSync(path, rule.args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 5000 });
  } catch (error) {
    // Some programs print their version on stderr or exit non-zero after printing it.
    const e = error as { stdout?: string; stderr?: string };
    text = `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
  return new RegExp(rule.pattern).exec(text)?.[1];
}

/** The problem with one program, or undefined when it is installed and new enough. */
export function probe(program: Prerequisite, path?: string): PrerequisiteProblem | undefined {
  const found = findOnPath(program.binary, path);
  if (!found) return { program };
  if (!program.minVersion || !program.version) return undefined;
  const version = installedVersion(found, program.version);
  // An unreadable version is reported as too old: the tests were not written against it.
  if (version === undefined) return { program, found: "unknown" };
  return compareVersions(version, program.minVersion) < 0 ? { program, found: version } : undefined;
}

export function checkPrerequisites(programs: Prerequisite[], path?: string): PrerequisiteProblem[] {
  return programs.flatMap((program) => probe(program, path) ?? []);
}

/** The Debian packages that fix `problems`, each once, in list order. */
export function packagesFor(problems: PrerequisiteProblem[]): string[] {
  return [...new Set(problems.map((p) => p.program.package))];
}

/** The single line that fixes everything missing. */
export function aptInstallLine(packages: string[]): string {
  return `sudo apt-get install -y ${packages.join(" ")}`;
}

/** One message naming every missing or too-old program and the one command that fixes them. */
export function describeProblems(problems: PrerequisiteProblem[]): string {
  const names = problems.map(({ program, found }) =>
    found === undefined ? `${program.binary} (not found)` : `${program.binary} ${found} (need >= ${program.minVersion})`,
  );
  return `the tests need programs this machine lacks: ${names.join(", ")}; install them with: ${aptInstallLine(packagesFor(problems))}`;
}

export class PrerequisiteMissingError extends Error {
  override name = "PrerequisiteMissingError";
}

const resolved = new Map<string, string>();

/**
 * The absolute path of a listed program, for a test that runs it. Fails with the same message as
 * the preflight, so a single test run from an editor says what to install instead of
 * `spawn … ENOENT`. Only programs in test/prerequisites.yaml may be asked for: the list stays
 * complete.
 */
export function requireProgram(binary: string): string {
  const known = resolved.get(binary);
  if (known) return known;
  const program = loadPrerequisites().find((p) => p.binary === binary);
  if (!program) throw new Error(`requireProgram("${binary}"): not listed in ${prerequisitesFile}; add it there first`);
  const problem = probe(program);
  if (problem) throw new PrerequisiteMissingError(describeProblems([problem]));
  const path = findOnPath(binary)!;
  resolved.set(binary, path);
  return path;
}

/** Debian or a derivative (Ubuntu), judged by /etc/os-release. */
export function isDebianLike(osRelease = "/etc/os-release"): boolean {
  try {
    const text = readFileSync(osRelease, "utf8");
    const field = (key: string) => new RegExp(`^${key}="?([^"\\n]*)"?$`, "m").exec(text)?.[1] ?? "";
    return /\b(debian|ubuntu)\b/.test(`${field("ID")} ${field("ID_LIKE")}`);
  } catch {
    return false;
  }
}

const readmeStart = "<!-- prerequisites: generated from test/prerequisites.yaml by `pnpm preflight --write-readme` -->";
const readmeEnd = "<!-- /prerequisites -->";

/** The README's prerequisites block, generated from the list. */
export function renderReadmePrerequisites(programs: Prerequisite[]): string {
  const header = ["program", "Debian package", "version", "what it is for"];
  const cells = programs.map((p) => [`\`${p.binary}\``, `\`${p.package}\``, p.minVersion ? `>= ${p.minVersion}` : "any", p.purpose]);
  // Columns padded as the Markdown formatter (Biome) pads them, so `pnpm lint` accepts the README.
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const rows = [line(header), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)];
  return [
    readmeStart,
    "The tests also run these programs from Debian/Ubuntu. `pnpm test` and `pnpm check` check for them first: as",
    "root on Debian/Ubuntu (CI, containers) they install what is missing with `apt-get`; otherwise they stop",
    "with the one command to run:",
    "",
    "```sh",
    aptInstallLine(packagesFor(programs.map((program) => ({ program })))),
    "```",
    "",
    ...rows,
    readmeEnd,
  ].join("\n");
}

/** `readme` with its prerequisites block replaced by `block`; throws when the markers are missing. */
export function replaceReadmePrerequisites(readme: string, block: string): string {
  const start = readme.indexOf(readmeStart);
  const end = readme.indexOf(readmeEnd);
  if (start < 0 || end < start) throw new Error(`README.md: expected the markers ${readmeStart} … ${readmeEnd}`);
  return readme.slice(0, start) + block + readme.slice(end + readmeEnd.length);
}
