// The registry, main and help load no workspace package: each command's definition
// (commands/<name>.def.ts) holds its metadata and a `run` that imports the implementation
// (commands/<name>.ts) only when the command runs. Without this, every `llmops` invocation
// type-strips and loads every package (`--help` took ~1.3 s and ~140 MiB).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_CONFIG_FILE } from "@llmops/core";
import { DEFAULT_AB_ALPHA, DEFAULT_OUTCOME_FIELD, DEFAULT_VARIANT_FIELD } from "@llmops/eval";
import { DEFAULT_CASES_FILE, PUSH_DEFAULTS } from "@llmops/operate";
import { DEFAULT_MAX_TEXT_BYTES } from "@llmops/report";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import type { Command } from "../src/command.ts";
import { commands } from "../src/commands/index.ts";

const cli = fileURLToPath(new URL("..", import.meta.url));
const src = resolve(cli, "src");

/** The specifiers a module imports when it is evaluated: static imports and re-exports, not `import type` / `export type`. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      // `import { type A } from "x"` still loads x (verbatimModuleSyntax); only `import type` does not.
      if (statement.importClause?.isTypeOnly) continue;
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier) {
      if (statement.isTypeOnly) continue;
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

/** Every module reached from `entries` by runtime imports, and every import that leaves the CLI's light modules. */
function staticGraph(entries: string[]): { modules: string[]; offending: string[] } {
  const seen = new Set<string>();
  const offending: string[] = [];
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeImports(file)) {
      if (specifier.startsWith("node:")) continue;
      const target = specifier.startsWith(".") ? resolve(dirname(file), specifier) : undefined;
      if (target && !relative(src, target).startsWith("..")) queue.push(target);
      else offending.push(`${relative(cli, file)} imports ${specifier}`);
    }
  }
  return { modules: [...seen].map((file) => relative(src, file)).sort(), offending };
}

/** The node that runs the CLI's TypeScript (as bin/llmops.js picks it). */
function node24(): string {
  return process.features.typescript ? process.execPath : createRequire(import.meta.url).resolve("node/bin/node");
}

/** Preloaded into a child: records every module the process resolves, and prints them as it exits. */
const RECORD_MODULES = `data:text/javascript,${encodeURIComponent(
  'import{registerHooks}from"node:module";import{writeSync}from"node:fs";const seen=new Set();' +
    "registerHooks({resolve(specifier,context,next){const resolved=next(specifier,context);seen.add(resolved.url);return resolved;}});" +
    'process.on("exit",()=>writeSync(2,"\\nloaded-modules "+JSON.stringify([...seen])+"\\n"));',
)}`;

function loadedBy(args: string[]): { status: number | null; modules: string[] } {
  const bin = resolve(cli, "bin/llmops.js");
  const child = spawnSync(node24(), ["--import", RECORD_MODULES, bin, ...args], { encoding: "utf8", env: { ...process.env, CI: "1" } });
  const line = /loaded-modules (.*)/.exec(child.stderr)?.[1];
  if (!line) throw new Error(`no module list from llmops ${args.join(" ")}: ${child.stderr}`);
  return { status: child.status, modules: (JSON.parse(line) as string[]).filter((url) => url.startsWith("file:")) };
}

function find(path: string[]): Command {
  let found: Command | undefined;
  let list = commands;
  for (const name of path) {
    found = list.find((c) => c.name === name);
    if (!found) throw new Error(`no command ${path.join(" ")}`);
    list = found.subcommands ?? [];
  }
  return found as Command;
}

describe("lazy commands", () => {
  it("main, the registry and every command definition import only node built-ins and each other", () => {
    const { modules, offending } = staticGraph([resolve(src, "index.ts"), resolve(src, "main.ts")]);
    expect(offending).toEqual([]);
    // The walk did reach the definitions (and no implementation).
    expect(modules).toContain("commands/index.ts");
    expect(modules).toContain("commands/version.def.ts");
    expect(modules.filter((m) => m.startsWith("commands/") && !m.endsWith(".def.ts") && m !== "commands/index.ts")).toEqual([]);
  });

  it("help loads no workspace package and nothing from node_modules, as a real process", () => {
    for (const args of [["--help"], ["version", "--help"], ["ab", "analyze", "--help"], ["--version"]]) {
      const { status, modules } = loadedBy(args);
      expect(status, args.join(" ")).toBe(0);
      const outside = modules.filter((url) => !fileURLToPath(url).startsWith(cli) || fileURLToPath(url).includes("node_modules"));
      expect(outside, args.join(" ")).toEqual([]);
    }
  });

  it("a command loads its implementation when it runs", () => {
    const { status, modules } = loadedBy(["schema"]);
    expect(status).toBe(0);
    expect(modules.some((url) => url.endsWith("/cli/src/commands/schema.ts"))).toBe(true);
    expect(modules.some((url) => url.endsWith("/cli/src/commands/version.ts"))).toBe(false);
  });

  // The help of a definition cannot import the packages' defaults; these hold its words to them.
  it("help states the packages' current defaults", () => {
    const analyze = find(["ab", "analyze"]).optionHelp ?? {};
    expect(analyze["variant-field"]).toContain(`(default ${DEFAULT_VARIANT_FIELD})`);
    expect(analyze["outcome-field"]).toContain(`(default ${DEFAULT_OUTCOME_FIELD})`);
    expect(analyze.alpha).toContain(`(default ${DEFAULT_AB_ALPHA})`);
    expect(find(["version"]).optionHelp?.config).toContain(`(default ${DEFAULT_CONFIG_FILE})`);
    expect(find(["check"]).optionHelp?.config).toContain(`(default ${DEFAULT_CONFIG_FILE} when present`);
    expect(find(["feedback", "ingest"]).optionHelp?.file).toContain(`(default ${DEFAULT_CASES_FILE})`);
    expect(find(["metrics"]).optionHelp?.push).toContain(`; ${PUSH_DEFAULTS.retries} retries on 5xx`);
    expect(find(["report", "html"]).optionHelp?.["max-text-bytes"]).toContain(`(default ${DEFAULT_MAX_TEXT_BYTES / 1e6} MB)`);
  });
});
