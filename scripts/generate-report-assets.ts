// Writes packages/report/src/html/assets.generated.ts: the one script and the one style sheet of
// the HTML report (`llmops report html`), as string constants the renderer inlines into the page.
//
//   SCRIPT = uPlot's minified IIFE build (from node_modules, with its MIT licence) + the report's
//            client code (packages/report/src/html/client/), type-checked and bundled here
//   STYLE  = uPlot's style sheet + packages/report/src/html/report.css
//
// Strings in a .ts module work the same under vitest, Node's type stripping and an ncc bundle (no
// file is read at run time). The client code is checked before it is bundled: its modules that
// touch the DOM are `// @ts-check` JavaScript with JSDoc types and the pure ones (rows, filter,
// diff) TypeScript, all type-checked here against the DOM library (client/tsconfig.json; the
// workspace's own program is for Node, and the DOM library's web streams clash with Node's), the
// pure ones by `pnpm typecheck` too, and all linted by `pnpm lint`. The bundler is deliberately
// small: client modules may import each other by name, import types from anywhere, and import a few
// plain functions whose one home is elsewhere (core's formatNumber/formatSigned, report's
// formatP/safeUrl): those are copied from their source, so the page formats numbers exactly as the
// Markdown reports do. Anything else is refused.
//
// Usage: node scripts/generate-report-assets.ts [--check]
//   --check  exits 1 when the committed file differs from what would be written (a test runs this).
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const reportDir = join(root, "packages", "report");
const htmlDir = join(reportDir, "src", "html");
const clientDir = join(htmlDir, "client");
const entry = join(clientDir, "main.js");
const clientConfig = join(clientDir, "tsconfig.json");
const cssFile = join(htmlDir, "report.css");
export const outputFile = join(htmlDir, "assets.generated.ts");

/** Where functions the client imports from outside its directory live (one home each); only these may be imported. */
const SHARED: Record<string, string> = {
  "@llmops/core": join(root, "packages", "core", "src", "results.ts"),
  [join(reportDir, "src", "format.ts")]: join(reportDir, "src", "format.ts"),
};

const display = (file: string) => relative(root, file).split(sep).join("/");

class BundleError extends Error {}

interface ClientModule {
  file: string;
  /** Variable holding the module's exports in the bundle. */
  variable: string;
  source: string;
  dependencies: string[];
}

interface ValueImport {
  /** A client module's file, or a SHARED key. */
  target: string;
  shared: boolean;
  names: { imported: string; local: string }[];
}

/** The imports of a file that bring values (type-only ones are erased and ignored). */
function valueImports(file: string, source: string): ValueImport[] {
  const kind = file.endsWith(".js") ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, kind);
  const imports: ValueImport[] = [];
  for (const statement of sf.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    const where = `${display(file)}: import from "${specifier}"`;
    if (clause.name) throw new BundleError(`${where}: default imports are not bundled (use named imports)`);
    const bindings = clause.namedBindings;
    if (!bindings) continue;
    if (!ts.isNamedImports(bindings)) throw new BundleError(`${where}: namespace imports are not bundled (use named imports)`);
    const names = bindings.elements
      .filter((e) => !e.isTypeOnly)
      .map((e) => ({ imported: (e.propertyName ?? e.name).text, local: e.name.text }));
    if (names.length === 0) continue;
    if (specifier.startsWith(".")) {
      const target = resolve(dirname(file), specifier);
      if (SHARED[target]) imports.push({ target, shared: true, names });
      else if (target.startsWith(clientDir + sep) && /\.(ts|js)$/.test(target)) imports.push({ target, shared: false, names });
      else
        throw new BundleError(
          `${where}: only types may be imported from outside client/ (besides ${Object.keys(SHARED).map(display).join(", ")})`,
        );
    } else if (SHARED[specifier]) imports.push({ target: specifier, shared: true, names });
    else throw new BundleError(`${where}: packages are not bundled into the page (only types may be imported)`);
  }
  return imports;
}

/** The client modules reachable from the entry, dependencies first. */
function collectModules(): ClientModule[] {
  const ordered: ClientModule[] = [];
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (file: string) => {
    if (done.has(file)) return;
    if (visiting.has(file)) throw new BundleError(`${display(file)}: circular import`);
    visiting.add(file);
    const source = readFileSync(file, "utf8");
    const dependencies = valueImports(file, source)
      .filter((i) => !i.shared)
      .map((i) => i.target);
    for (const dependency of dependencies) visit(dependency);
    visiting.delete(file);
    done.add(file);
    const name = relative(clientDir, file)
      .replace(/\.(ts|js)$/, "")
      .replace(/[^A-Za-z0-9]/g, "_");
    ordered.push({ file, variable: `__client_${name}`, source, dependencies });
  };
  visit(entry);
  return ordered;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  removeComments: true,
  isolatedModules: true,
  verbatimModuleSyntax: false,
  useDefineForClassFields: true,
  newLine: ts.NewLineKind.LineFeed,
};

function transpile(file: string, source: string): string {
  const out = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName: file, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new BundleError(`${display(file)}: ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, " ")}`);
  return out.outputText;
}

/** A transpiled module as a function scope returning its exports, its imports read from earlier modules. */
function wrapModule(module: ClientModule, variables: Map<string, string>): string {
  const js = transpile(module.file, module.source);
  const sf = ts.createSourceFile(`${module.file}.js`, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const edits: { start: number; end: number; text: string }[] = [];
  const exported: string[] = [];
  for (const statement of sf.statements) {
    if (ts.isImportDeclaration(statement)) {
      const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
      const target = specifier.startsWith(".") ? resolve(dirname(module.file), specifier) : specifier;
      const source = SHARED[target] ? "__shared" : variables.get(target);
      if (!source) throw new BundleError(`${display(module.file)}: cannot bundle import from "${specifier}"`);
      const bindings = statement.importClause?.namedBindings;
      const names =
        bindings && ts.isNamedImports(bindings)
          ? bindings.elements.map((e) => (e.propertyName ? `${e.propertyName.text}: ${e.name.text}` : e.name.text))
          : [];
      edits.push({
        start: statement.getStart(sf),
        end: statement.getEnd(),
        text: names.length ? `const { ${names.join(", ")} } = ${source};` : "",
      });
      continue;
    }
    if (ts.isExportDeclaration(statement) || ts.isExportAssignment(statement))
      throw new BundleError(`${display(module.file)}: export lists and default exports are not bundled (export declarations instead)`);
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    const exportKeyword = modifiers?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exportKeyword) continue;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword))
      throw new BundleError(`${display(module.file)}: default exports are not bundled`);
    edits.push({ start: exportKeyword.getStart(sf), end: exportKeyword.getEnd() + 1, text: "" });
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) exported.push(statement.name.text);
    else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) throw new BundleError(`${display(module.file)}: exported destructuring is not bundled`);
        exported.push(declaration.name.text);
      }
    } else throw new BundleError(`${display(module.file)}: cannot bundle this export: ${statement.getText(sf).slice(0, 60)}`);
  }
  let code = js;
  for (const edit of edits.sort((a, b) => b.start - a.start)) code = code.slice(0, edit.start) + edit.text + code.slice(edit.end);
  return `const ${module.variable} = (() => {\n${code.trim()}\nreturn { ${exported.join(", ")} };\n})();`;
}

/** The functions the client imports from their homes outside client/, copied from their source. */
function sharedFunctions(modules: ClientModule[]): string {
  const wanted = new Map<string, Set<string>>();
  for (const module of modules) {
    for (const i of valueImports(module.file, module.source)) {
      if (!i.shared) continue;
      const file = SHARED[i.target] as string;
      const names = wanted.get(file) ?? new Set<string>();
      for (const n of i.names) {
        if (n.imported !== n.local) throw new BundleError(`${display(module.file)}: import ${n.imported} without renaming it`);
        names.add(n.imported);
      }
      wanted.set(file, names);
    }
  }
  const declarations: string[] = [];
  const all: string[] = [];
  for (const [file, names] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const source = readFileSync(file, "utf8");
    const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    for (const name of [...names].sort()) {
      const fn = sf.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
      if (!fn?.body) throw new BundleError(`${display(file)} has no function declaration ${name} to copy into the page`);
      declarations.push(fn.getText(sf).replace(/^export\s+/, ""));
      all.push(name);
    }
  }
  const js = transpile(join(clientDir, "__shared.ts"), declarations.join("\n"));
  return `const __shared = (() => {\n${js.trim()}\nreturn { ${all.join(", ")} };\n})();`;
}

/** Leading indentation and blank lines dropped; refused when a template or string literal spans lines (it would change). */
function compact(js: string): string {
  const sf = ts.createSourceFile("bundle.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const visit = (node: ts.Node): void => {
    if (
      (ts.isNoSubstitutionTemplateLiteral(node) ||
        ts.isTemplateHead(node) ||
        ts.isTemplateMiddle(node) ||
        ts.isTemplateTail(node) ||
        ts.isStringLiteral(node)) &&
      node.getText(sf).includes("\n")
    ) {
      throw new BundleError(`client code: a literal spans lines (${node.getText(sf).slice(0, 40)}…); write \\n instead`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return js
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join("\n");
}

/** Type-checks the client with its own program (client/tsconfig.json: the DOM library, JavaScript checked). */
function typeCheckClient(): void {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new BundleError(ts.flattenDiagnosticMessageText(d.messageText, " "));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(clientConfig, {}, host);
  if (!config) throw new BundleError(`${display(clientConfig)}: cannot be read`);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (diagnostics.length === 0) return;
  const lines = diagnostics.slice(0, 20).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${display(d.file.fileName)}:${line + 1}:${character + 1}: ${message}`;
  });
  throw new BundleError(`the client code has ${diagnostics.length} type error(s):\n${lines.join("\n")}`);
}

function bundleClient(): string {
  typeCheckClient();
  const modules = collectModules();
  const variables = new Map(modules.map((m) => [m.file, m.variable]));
  const parts = [sharedFunctions(modules), ...modules.map((m) => wrapModule(m, variables))];
  return compact(`(() => {\n"use strict";\n${parts.join("\n")}\n})();`);
}

/** uPlot's package directory, as packages/report (which depends on it) resolves it. */
function uplotDir(): string {
  return dirname(createRequire(join(reportDir, "package.json")).resolve("uplot/package.json"));
}

const uplotFile = (path: string) => readFileSync(join(uplotDir(), path), "utf8");

/** Text the HTML parser would end a script or style element at, or treat specially inside one. */
function assertEmbeddable(name: string, text: string): void {
  const bad = /<\/(script|style)|<!--/i.exec(text);
  if (bad) throw new BundleError(`${name} contains "${bad[0]}", which would end or escape its element in the page`);
}

export function generateAssets(): string {
  const version = (JSON.parse(uplotFile("package.json")) as { version: string }).version;
  const licence = uplotFile("LICENSE").trim().replace(/\*\//g, "* /");
  const script = [
    `/*! uPlot ${version}, https://github.com/leeoniya/uPlot\n${licence}\n*/`,
    uplotFile("dist/uPlot.iife.min.js").trim(),
    bundleClient(),
  ].join("\n");
  const style = [uplotFile("dist/uPlot.min.css").trim(), readFileSync(cssFile, "utf8").trim()].join("\n");
  assertEmbeddable("the script", script);
  assertEmbeddable("the style sheet", style);
  return [
    "// Generated by scripts/generate-report-assets.ts from uPlot (node_modules), packages/report/src/html/client/*.ts",
    "// and packages/report/src/html/report.css. Do not edit: run `node scripts/generate-report-assets.ts` (a test checks it is current).",
    "",
    `/** The uPlot version bundled into the page. */`,
    `export const UPLOT_VERSION = ${JSON.stringify(version)};`,
    "",
    "/** The page's one script: uPlot, then the client code. */",
    `export const SCRIPT: string = ${JSON.stringify(script)};`,
    "",
    "/** The page's one style sheet: uPlot's, then the report's. */",
    `export const STYLE: string = ${JSON.stringify(style)};`,
    "",
  ].join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const text = generateAssets();
    let current = "";
    try {
      current = readFileSync(outputFile, "utf8");
    } catch {
      // not generated yet
    }
    if (process.argv.includes("--check")) {
      if (current !== text) {
        process.stderr.write(`${display(outputFile)} is out of date: run node scripts/generate-report-assets.ts\n`);
        process.exit(1);
      }
      process.stderr.write(`${display(outputFile)} is up to date\n`);
    } else if (current === text) process.stderr.write(`${display(outputFile)} unchanged\n`);
    else {
      writeFileSync(outputFile, text);
      process.stderr.write(`wrote ${display(outputFile)} (${Buffer.byteLength(text)} bytes)\n`);
    }
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    process.stderr.write(`generate-report-assets: ${error.message}\n`);
    process.exit(2);
  }
}
