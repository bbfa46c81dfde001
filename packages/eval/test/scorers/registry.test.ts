import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scorerConfigSchema } from "@llmops/core";
import { describe, expect, it } from "vitest";
import type { ScorerDefinition } from "../../src/scorers/definition.ts";
import { registryProblems, scorerDefinition, scorerDefinitions } from "../../src/scorers/registry.ts";

// The scorer types the config accepts, enumerated from the options of core's discriminated union.
const configTypes = scorerConfigSchema.options.map((option) => option.shape.type.value);
const configSchemaOf = (type: string) => scorerConfigSchema.options.find((option) => option.shape.type.value === type);

describe("scorer registry", () => {
  it("has exactly one definition for every type the config schema accepts, and none for any other", () => {
    expect(scorerDefinitions.flatMap((definition) => definition.types).sort()).toEqual([...configTypes].sort());
    expect(registryProblems(scorerDefinitions, configTypes)).toEqual([]);
    for (const type of configTypes) expect(scorerDefinition(type).types).toContain(type);
  });

  it("each definition names, for each of its types, the schema of that type in core's union", () => {
    for (const definition of scorerDefinitions) {
      expect(Object.keys(definition.schemas)).toEqual(definition.types);
      for (const type of definition.types) expect(definition.schemas[type], type).toBe(configSchemaOf(type));
    }
  });

  it("names a type without a definition, one with two, and a definition of a type the config does not accept", () => {
    const withoutBleu = scorerDefinitions.filter((definition) => !definition.types.includes("bleu"));
    expect(registryProblems(withoutBleu, configTypes)).toEqual(['scorer type "bleu" has no definition']);
    expect(registryProblems([...scorerDefinitions, scorerDefinition("cost")], configTypes)).toEqual([
      'scorer type "latency" has 2 definitions',
      'scorer type "tokens" has 2 definitions',
      'scorer type "cost" has 2 definitions',
      'scorer type "ttft" has 2 definitions',
    ]);
    const withoutCost = configTypes.filter((type) => type !== "cost");
    expect(registryProblems(scorerDefinitions, withoutCost)).toEqual([
      'a definition implements "cost", which the config schema does not accept',
    ]);
  });

  it("every definition has docs: one paragraph of definition, its params, its score and a reference source", () => {
    for (const { types, docs } of scorerDefinitions) {
      const label = types.join(", ");
      expect(docs.definition.length, label).toBeGreaterThan(80);
      expect(docs.definition, label).not.toMatch(/\n/);
      expect(docs.definition, label).toMatch(/\.$/);
      expect(typeof docs.params, label).toBe("string");
      expect(docs.score, label).not.toBe("");
      expect(docs.reference.length, label).toBeGreaterThan(20);
      // Every type a definition serves is named in its definition, except when it serves only one.
      if (types.length > 1) for (const type of types) expect(docs.definition, label).toContain(`\`${type}\``);
    }
  });
});

// The README's table and definitions are generated from the docs; `vitest run -u` rewrites them.
const readmePath = fileURLToPath(new URL("../../src/scorers/README.md", import.meta.url));

const cell = (text: string) => text.replaceAll("|", "\\|");
const typeNames = (definition: ScorerDefinition) => definition.types.map((type) => `\`${type}\``);

/** A Markdown table with its columns padded, as the formatter leaves them. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) => Math.max(title.length, 3, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((text, i) => text.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

function renderTable(definitions: readonly ScorerDefinition[]): string {
  const rows = definitions.map((definition) => [
    typeNames(definition).join(" / "),
    cell(definition.docs.params),
    cell(definition.docs.score),
    cell(definition.docs.corpus ?? ""),
  ]);
  return table(["type", "params (defaults)", "score", "corpus value"], rows).join("\n");
}

function renderDefinitions(definitions: readonly ScorerDefinition[]): string {
  return definitions
    .map((definition) =>
      [`### ${typeNames(definition).join(", ")}`, "", definition.docs.definition, "", `Reference: ${definition.docs.reference}`].join("\n"),
    )
    .join("\n\n");
}

/** `readme` with the block between `<!-- name: … -->` and `<!-- /name -->` replaced by `body`. */
function replaceBlock(readme: string, name: string, body: string): string {
  const start = new RegExp(`<!-- ${name}: [^\\n]*-->\\n`).exec(readme);
  const end = readme.indexOf(`<!-- /${name} -->`);
  if (!start || end < start.index) throw new Error(`README.md: expected the markers <!-- ${name}: … --> … <!-- /${name} -->`);
  const from = start.index + start[0].length;
  return `${readme.slice(0, from)}${body}\n${readme.slice(end)}`;
}

describe("scorers README", () => {
  const readme = readFileSync(readmePath, "utf8");

  it("its table and definitions are generated from the registry (update: pnpm exec vitest run packages/eval/test/scorers -u)", async () => {
    let expected = replaceBlock(readme, "scorers-table", renderTable(scorerDefinitions));
    expected = replaceBlock(expected, "scorers-definitions", renderDefinitions(scorerDefinitions));
    await expect(expected).toMatchFileSnapshot(readmePath);
  });

  it("mentions every scorer type", () => {
    for (const type of configTypes) expect(readme).toContain(`\`${type}\``);
  });
});
