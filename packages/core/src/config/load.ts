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
  return errors;
}
