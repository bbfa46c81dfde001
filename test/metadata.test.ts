// Every action.yml and workflow of the repository, validated with GitHub's own parser
// (@actions/workflow-parser), plus the project's conventions for action metadata.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { validateActionFile, validateWorkflowFile } from "./src/harness/metadata-validation.ts";
import { repoRoot } from "./src/harness/paths.ts";

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "dist") out.push(...filesUnder(path, keep));
    } else if (keep(path)) out.push(path);
  }
  return out.sort();
}

const isYaml = (path: string) => /\.ya?ml$/.test(path);
const actionFiles = existsSync(join(repoRoot, "actions"))
  ? readdirSync(join(repoRoot, "actions"))
      .map((name) => join(repoRoot, "actions", name, "action.yml"))
      .filter((path) => existsSync(path))
  : [];
const workflowFiles = [
  ...filesUnder(join(repoRoot, ".github", "workflows"), isYaml),
  ...filesUnder(join(repoRoot, "examples"), (path) => isYaml(path) && /^jobs:/m.test(readFileSync(path, "utf8"))),
];
const rel = (path: string) => relative(repoRoot, path);
/** A GitHub expression `${{ … }}`, built so no JS template placeholder appears in the source. */
const expression = (body: string) => `$\{{ ${body} }}`;

describe("action metadata", () => {
  it("finds the repository's workflows", () => {
    expect(workflowFiles.map(rel)).toContain(".github/workflows/ci.yml");
    expect(workflowFiles.map(rel)).toContain(".github/workflows/dogfood.yml");
  });

  for (const file of actionFiles) {
    describe(rel(file), () => {
      it("passes GitHub's action schema", () => {
        expect(validateActionFile(file).errors).toEqual([]);
      });

      it("runs dist/index.js on node24, documents every input and output, has branding", () => {
        const { value } = validateActionFile(file);
        expect(value?.runs).toMatchObject({ using: "node24", main: "dist/index.js" });
        expect(existsSync(join(file, "..", "dist", "index.js")), "dist/index.js exists (build the action)").toBe(true);
        for (const input of value?.inputs ?? []) expect(input.description?.trim(), `input ${input.id}`).toBeTruthy();
        for (const output of value?.outputs ?? []) expect(output.description?.trim(), `output ${output.id}`).toBeTruthy();
        const raw = parse(readFileSync(file, "utf8")) as { branding?: { icon?: string; color?: string } };
        expect(raw.branding?.icon).toBeTruthy();
        expect(raw.branding?.color).toBeTruthy();
        expect(value?.description?.trim()).toBeTruthy();
      });
    });
  }
});

describe("the harness's fixture actions", () => {
  const fixtures = join(repoRoot, "test", "fixtures", "actions");
  for (const name of readdirSync(fixtures).filter((n) => existsSync(join(fixtures, n, "action.yml")))) {
    it(`${name} passes GitHub's action schema`, () => {
      expect(validateActionFile(join(fixtures, name, "action.yml")).errors).toEqual([]);
    });
  }
});

/** `./actions/<name>` (this repository's checkout) or `<owner>/llmops-actions/actions/<name>@<ref>`: one of our actions. */
function ourAction(uses: string | undefined): string | undefined {
  return /^(?:\.\/|[^/]+\/llmops-actions\/)actions\/([a-z-]+)(?:@|$)/.exec(uses ?? "")?.[1];
}

type WorkflowStep = { uses?: string; with?: Record<string, unknown> };

describe("workflows", () => {
  for (const file of workflowFiles) {
    it(`${rel(file)} passes GitHub's workflow schema`, async () => {
      expect((await validateWorkflowFile(file)).errors).toEqual([]);
    });

    it(`${rel(file)} gives our actions only inputs they declare, and every required one`, () => {
      const workflow = parse(readFileSync(file, "utf8")) as { jobs: Record<string, { steps?: WorkflowStep[] }> };
      const steps = Object.values(workflow.jobs).flatMap((job) => job.steps ?? []);
      for (const step of steps.filter((s) => ourAction(s.uses))) {
        const action = ourAction(step.uses)!;
        const metadata = join(repoRoot, "actions", action, "action.yml");
        expect(existsSync(metadata), `${step.uses}: actions/${action}/action.yml exists`).toBe(true);
        const inputs =
          (parse(readFileSync(metadata, "utf8")) as { inputs?: Record<string, { required?: boolean; default?: unknown }> }).inputs ?? {};
        const given = Object.keys(step.with ?? {});
        for (const key of given) expect(Object.keys(inputs), `actions/${action} input ${key}`).toContain(key);
        for (const [name, spec] of Object.entries(inputs)) {
          if (spec.required && spec.default === undefined) expect(given, `actions/${action} required input ${name}`).toContain(name);
        }
      }
    });
  }

  it("the dogfood workflow runs the repository's own version, eval and compare", () => {
    const workflow = parse(readFileSync(join(repoRoot, ".github", "workflows", "dogfood.yml"), "utf8")) as {
      jobs: Record<string, { steps: WorkflowStep[] }>;
    };
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.uses));
    expect(uses).toEqual(expect.arrayContaining(["./actions/version", "./actions/eval", "./actions/compare"]));
  });
});

describe("the validation itself", () => {
  const dir = mkdtempSync(join(tmpdir(), "metadata-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("rejects a broken workflow: unknown key, missing runs-on, bad expression", async () => {
    const file = join(dir, "broken.yml");
    writeFileSync(
      file,
      `on: push\njobs:\n  build:\n    runs-onn: ubuntu-latest\n    steps:\n      - run: echo ${expression("github.sha )")}\n`,
    );
    const { errors } = await validateWorkflowFile(file);
    expect(errors.join("\n")).toMatch(/runs-onn/);
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });

  it("reports errors found while converting the template: needs naming a missing job", async () => {
    const file = join(dir, "needs.yml");
    writeFileSync(file, "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    needs: [nope]\n    steps:\n      - run: make\n");
    expect((await validateWorkflowFile(file)).errors.join("\n")).toMatch(/at least one job with no dependencies/);
  });

  it("accepts a well-formed workflow", async () => {
    const file = join(dir, "good.yml");
    writeFileSync(
      file,
      `on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - run: echo ${expression("github.sha")}\n`,
    );
    expect((await validateWorkflowFile(file)).errors).toEqual([]);
  });

  it("rejects a broken action.yml: unknown runs.using", () => {
    const file = join(dir, "action.yml");
    writeFileSync(file, "name: x\ndescription: y\nruns:\n  using: node99\n  main: dist/index.js\n");
    expect(validateActionFile(file).errors).toEqual([`${file} (Line: 4, Col: 10): Unexpected value 'node99'`]);
  });

  it("rejects a broken action.yml: misspelled key, missing description, unknown branding icon", () => {
    const file = join(dir, "action2.yml");
    writeFileSync(file, "name: x\nrunz:\n  using: node24\n  main: dist/index.js\nbranding:\n  icon: no-such-icon\n  color: green\n");
    const errors = validateActionFile(file).errors.join("\n");
    expect(errors).toMatch(/Unexpected value 'runz'/);
    expect(errors).toMatch(/Required property is missing: runs/);
    expect(errors).toMatch(/Required property is missing: description/);
    expect(errors).toMatch(/Unexpected value 'no-such-icon'/);
  });

  it("accepts a well-formed action.yml", () => {
    const file = join(dir, "good-action.yml");
    writeFileSync(
      file,
      "name: x\ndescription: y\ninputs:\n  a:\n    description: z\nruns:\n  using: node24\n  main: dist/index.js\nbranding:\n  icon: check\n  color: green\n",
    );
    expect(validateActionFile(file).errors).toEqual([]);
  });
});
