import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { formatYamlPath, type LocatedYaml, listConfigErrors, readLocatedYaml, validateLocated } from "../yaml-config.ts";
import { type LlmopsConfig, llmopsConfigSchema } from "./schema.ts";

export const DEFAULT_CONFIG_FILE = "llmops.yaml";

export interface LoadedConfig {
  config: LlmopsConfig;
  /** The parsed document, to locate later errors (template variables, case files) on their lines. */
  doc: LocatedYaml;
  /** Absolute path of the config file. */
  file: string;
  /** Its directory: relative paths in the config (prompt files, cases, modules) resolve from here. */
  dir: string;
}

/**
 * Reads and validates `llmops.yaml`. Throws InputError when the file cannot be read, ConfigError
 * (file:line:column, YAML path, what was expected) at the first problem.
 */
export async function loadConfig(path: string = DEFAULT_CONFIG_FILE, options: { cwd?: string } = {}): Promise<LoadedConfig> {
  const file = resolve(options.cwd ?? process.cwd(), path);
  const doc = await readLocatedYaml(file);
  const config = validateLocated(doc, llmopsConfigSchema);
  const first = crossChecks(config, doc)[0];
  if (first) throw first;
  return { config, doc, file, dir: dirname(file) };
}

/**
 * Every problem in the config file at once, located, for annotating each bad line (an Actions
 * `::error` per entry). Empty when the file is valid. A YAML syntax error is a single entry;
 * an unreadable file throws InputError.
 */
export async function listConfigFileErrors(path: string = DEFAULT_CONFIG_FILE, options: { cwd?: string } = {}): Promise<ConfigError[]> {
  const file = resolve(options.cwd ?? process.cwd(), path);
  let doc: LocatedYaml;
  try {
    doc = await readLocatedYaml(file);
  } catch (error) {
    if (error instanceof ConfigError) return [error];
    throw error;
  }
  const errors = listConfigErrors(doc, llmopsConfigSchema);
  // zod reports a strict object's unknown keys after its fields' issues; readers expect file order.
  const line = (e: ConfigError) => (e.location ? e.location.line * 1e6 + e.location.column : 0);
  if (errors.length > 0) return errors.sort((a, b) => line(a) - line(b));
  return crossChecks(llmopsConfigSchema.parse(doc.value), doc);
}

/** Rules that span entries, which the per-entry schema cannot see. */
function crossChecks(config: LlmopsConfig, doc: LocatedYaml): ConfigError[] {
  const errors: ConfigError[] = [];
  const seen = new Map<string, number>();
  config.suites.forEach((suite, i) => {
    const first = seen.get(suite.name);
    if (first !== undefined) {
      const path = ["suites", i, "name"];
      errors.push(
        new ConfigError(`expected a unique suite name; "${suite.name}" is also suites[${first}]`, formatYamlPath(path), doc.locate(path)),
      );
    } else seen.set(suite.name, i);
  });
  errors.push(...environmentChecks(config, doc));
  return errors;
}

/**
 * The model an environment serves when the config can tell: its `artifact`, else the only model in
 * `artifacts:`. Undefined when neither says (a promotion then serves the ref's artifact).
 */
export function environmentArtifact(config: LlmopsConfig, environment: string): string | undefined {
  const explicit = config.environments[environment]?.artifact;
  if (explicit) return explicit;
  const models = Object.entries(config.artifacts).filter(([, a]) => a.kind === "model");
  return models.length === 1 ? models[0]![0] : undefined;
}

/** `environments:` entries that name suites, environments and artifacts must name existing ones. */
function environmentChecks(config: LlmopsConfig, doc: LocatedYaml): ConfigError[] {
  const errors: ConfigError[] = [];
  const error = (expected: string, path: (string | number)[], atKey = false) =>
    errors.push(new ConfigError(expected, formatYamlPath(path), doc.locate(path, { atKey })));
  const suites = config.suites.map((s) => s.name);
  const environments = Object.keys(config.environments);
  const declared = Object.keys(config.artifacts);
  const claimed: { environment: string; artifact: string | undefined; alias: string }[] = [];
  for (const [name, environment] of Object.entries(config.environments)) {
    const at = ["environments", name];
    if (environment.artifact !== undefined && declared.length > 0) {
      const artifact = config.artifacts[environment.artifact];
      if (!artifact) {
        error(`expected one of the artifacts (${declared.join(", ")}); "${environment.artifact}" is not declared`, [...at, "artifact"]);
      } else if (artifact.kind !== "model") {
        error(`expected a model; "${environment.artifact}" is a ${artifact.kind}`, [...at, "artifact"]);
      }
    }
    environment.requires.promotedTo.forEach((other, i) => {
      if (other === name) error(`expected an earlier environment, not ${name} itself`, [...at, "requires", "promotedTo", i]);
      else if (!environments.includes(other)) {
        error(`expected an environment of this file (${environments.join(", ")}); "${other}" is not one`, [
          ...at,
          "requires",
          "promotedTo",
          i,
        ]);
      }
    });
    if (environment.smoke && !suites.includes(environment.smoke.suite)) {
      error(`expected a suite of this file (${suites.join(", ") || "suites: is empty"}); "${environment.smoke.suite}" is not one`, [
        ...at,
        "smoke",
        "suite",
      ]);
    }
    const canary = environment.strategy?.canary;
    if (canary && canary.router.type !== "gitops" && environment.targets.length === 0) {
      // A slot router ends a rollout by deploying the candidate to the stable slot and sending all
      // traffic back there; without targets the canary slot would keep serving, and the next
      // rollout would deploy into a slot that carries traffic.
      error(
        `expected targets for the stable slot: a canary with a ${canary.router.type} router completes by deploying the candidate there (strategy.canary.targets deploy to the canary slot)`,
        [...at, "targets"],
        true,
      );
    }
    const alias = environment.alias ?? name;
    const artifact = environmentArtifact(config, name);
    // A canary environment also moves `<alias>-canary` (the candidate of its rollout).
    for (const tag of canary ? [alias, `${alias}-canary`] : [alias]) {
      // Without a known artifact, an environment serves whatever ref it is given: it may be any of them.
      const clash = claimed.find((c) => c.alias === tag && (c.artifact === undefined || artifact === undefined || c.artifact === artifact));
      if (clash) {
        error(
          `expected an alias of its own; ${name} and ${clash.environment} would both move ${artifact ?? clash.artifact ?? "the promoted artifact"}:${tag}`,
          environment.alias !== undefined ? [...at, "alias"] : at,
          environment.alias === undefined,
        );
      }
      claimed.push({ environment: name, artifact, alias: tag });
    }
  }
  return errors;
}
