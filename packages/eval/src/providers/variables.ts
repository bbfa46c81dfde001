import { ConfigError, formatYamlPath, type LocatedYaml, type ProviderConfig, type SuiteConfig } from "@llmops/core";
import { describeCase, type EvalCase } from "../cases/types.ts";
import { lookupPath, parseTemplate, type TemplatePart, TemplateSyntaxError } from "../template/template.ts";

/** Names the http provider's templates provide themselves, rather than taking from the case. */
const BUILT_IN = new Set(["prompt", "messages", "env"]);

/**
 * Environment variables whose values are secrets for these providers (API keys, `{{env.X}}` in
 * http templates), so an action can mask them before any call. Values are never read here.
 */
export function secretEnvNamesOf(configs: readonly ProviderConfig[]): string[] {
  const names = new Set<string>();
  for (const config of configs) {
    if (config.type === "openai") {
      if (config.apiKeyEnv !== null) names.add(config.apiKeyEnv ?? "OPENAI_API_KEY");
    } else if (config.type === "anthropic") names.add(config.apiKeyEnv);
    else if (config.type === "http") {
      for (const part of httpTemplateParts(config)) {
        if (part.kind === "variable" && part.path[0] === "env" && typeof part.path[1] === "string") names.add(part.path[1]);
      }
    }
  }
  return [...names];
}

function httpTemplateParts(
  config: Extract<ProviderConfig, { type: "http" }>,
  onSyntaxError: (error: TemplateSyntaxError) => void = () => {},
): TemplatePart[] {
  const strings = [config.url, ...Object.values(config.headers), ...stringsIn(config.body)];
  return strings.flatMap((template) => {
    try {
      return parseTemplate(template);
    } catch (error) {
      if (!(error instanceof TemplateSyntaxError)) throw error;
      onSyntaxError(error);
      return [];
    }
  });
}

/**
 * The http provider's request templates may use case vars (`{{question}}`, `{{vars.question}}`):
 * every case must have each one, checked before any provider is called, like prompt variables.
 */
export function validateProviderVariables(
  suite: SuiteConfig,
  cases: readonly EvalCase[],
  options: { doc?: LocatedYaml; suiteIndex?: number } = {},
): void {
  const list = suite.providers ?? (suite.provider ? [suite.provider] : []);
  list.forEach((config, i) => {
    if (config.type !== "http") return;
    const path = ["suites", options.suiteIndex ?? 0, ...(suite.providers ? ["providers", i] : ["provider"])];
    const where = () => ({ yamlPath: formatYamlPath(path), location: options.doc?.locate(path) });
    const parts = httpTemplateParts(config, (error) => {
      throw new ConfigError(error.message, where().yamlPath, where().location);
    });
    for (const part of parts) {
      if (part.kind !== "variable" || BUILT_IN.has(String(part.path[0]))) continue;
      const varPath = part.path[0] === "vars" ? part.path.slice(1) : part.path;
      for (const evalCase of cases) {
        if (!lookupPath(evalCase.vars, varPath).found) {
          throw new ConfigError(
            `expected variable "${part.name}" used by this provider's request template, but ${describeCase(evalCase)} does not set it`,
            formatYamlPath(path),
            options.doc?.locate(path),
          );
        }
      }
    }
  });
}

export function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}
