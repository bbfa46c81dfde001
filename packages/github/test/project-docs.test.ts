// What README.md and CONTRIBUTING.md say about the actions and how they are built stays true.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as actionInputs from "../src/action-inputs.ts";
import * as actionKit from "../src/action-kit.ts";

const root = join(import.meta.dirname, "..", "..", "..");
const read = (file: string) => readFileSync(join(root, file), "utf8");
/** The text of a Markdown section, up to the next heading of the same or a higher level. */
function section(text: string, heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end === -1 ? rest : rest.slice(0, end);
}

describe("README.md", () => {
  it("lists every action in the Actions table", () => {
    const table = section(read("README.md"), "## Actions");
    const actions = readdirSync(join(root, "actions"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, "actions", d.name, "action.yml")))
      .map((d) => d.name);
    expect(actions).toContain("report");
    for (const name of actions) expect(table, `actions/${name}`).toContain(`[\`actions/${name}\`](actions/${name}/action.yml)`);
  });
});

describe("CONTRIBUTING.md", () => {
  const contributing = read("CONTRIBUTING.md");

  it("names the programs the tests need besides Node and npm", () => {
    const toolchain = section(contributing, "## Toolchain");
    expect(toolchain).not.toMatch(/only prerequisites/);
    expect(toolchain).toContain("test/prerequisites.yaml");
    expect(existsSync(join(root, "test", "prerequisites.yaml"))).toBe(true);
  });

  it("describes adding an action with the action kit the actions use", () => {
    const adding = section(contributing, "## Adding an action");
    expect(adding).not.toContain("core.setFailed");
    const kit: Record<string, unknown> = { ...actionKit, ...actionInputs };
    for (const name of ["runAction", "actionContext", "readActionInputs", "actionInput", "failStep"]) {
      expect(adding, name).toContain(`\`${name}`);
      expect(kit[name], `${name} is exported by the action kit`).toBeDefined();
    }
    // The pattern it describes is the one actions/version follows.
    const entry = read("actions/version/src/index.ts");
    for (const call of ["runAction(", "actionContext()", "readVersionInputs()", "versionAction(", "writeVersionOutputs("])
      expect(entry).toContain(call);
    expect(adding).toContain("actions/version/src");
  });

  it("points at where the layer rule is enforced", () => {
    expect(contributing).not.toMatch(/summari[sz]ed\s+in\s+the\s+README/);
    expect(contributing).toContain("`biome.json`");
    expect(contributing).toContain("noRestrictedImports");
    const biome = JSON.parse(read("biome.json")) as {
      overrides: { includes: string[]; linter?: { rules?: { style?: { noRestrictedImports?: unknown } } } }[];
    };
    const restricted = biome.overrides.filter((o) => o.linter?.rules?.style?.noRestrictedImports).flatMap((o) => o.includes);
    for (const pkg of ["core", "store", "eval", "report"]) expect(restricted).toContain(`packages/${pkg}/**`);
  });
});
