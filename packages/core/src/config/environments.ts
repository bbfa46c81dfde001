import { z } from "zod";
import { ConfigError, type SourceLocation } from "../errors.ts";
import { formatYamlPath } from "../yaml-config.ts";
import { canaryStrategySchema } from "./canary.ts";
import { monitorSchema } from "./monitor.ts";
import { aliasSchema, artifactNameSchema } from "./names.ts";
import { type ProviderConfig, providerConfigSchema } from "./suite.ts";
import { targetConfigSchema } from "./targets.ts";

export * from "./monitor.ts";
export * from "./targets.ts";

/**
 * The `environments:` and `notify:` sections of `llmops.yaml`: where approved model versions are
 * served, what a version must prove before it gets there, how it is deployed and smoke-tested, and
 * whom to tell when the answer is no. Owned by the promotion capability (@llmops/promote).
 */

/** An environment name: also a GitHub environment name and part of alias and issue titles. */
export const environmentNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    "expected an environment name: letters, digits, . _ - (max 64, starting with a letter or digit)",
  );

const positiveMs = z.number().int().positive();

/** Eval evidence the version itself must carry (an eval referrer on its exact digest). */
export const evidenceRequirementSchema = z.strictObject({
  /** The suite whose recorded run counts. */
  suite: z.string().min(1),
  /** Whether that run must have passed its gates (default true). */
  passed: z.boolean().default(true),
  /** How old the run may be, counted from its `finishedAt`. */
  maxAgeDays: z.number().positive().optional(),
  /**
   * The branch whose runs count (`refs/heads/<branch>`): evidence recorded by a pull-request run
   * never does. Default: the repository's default branch when known (GitHub), else any
   * non-pull-request ref.
   */
  branch: z.string().min(1).optional(),
});
export type EvidenceRequirement = z.infer<typeof evidenceRequirementSchema>;

export const requirementsSchema = z.strictObject({
  evidence: z.array(evidenceRequirementSchema).default([]),
  /** Environments the version must already have been promoted to (read from their alias histories). */
  promotedTo: z.array(environmentNameSchema).default([]),
});
export type Requirements = z.infer<typeof requirementsSchema>;

/** What a smoke provider's strings may use besides the usual templates: `{{environment.url}}`, `{{environment.name}}`. */
export const ENVIRONMENT_TEMPLATE_NAMES = ["url", "name"] as const;
const ENVIRONMENT_TEMPLATE = /\{\{\s*environment\.([A-Za-z0-9_]+)\s*\}\}/g;
/** Stand-ins while the config is validated: a URL that can never resolve (RFC 2606) and a plain name. */
const ENVIRONMENT_PLACEHOLDERS = { url: "https://environment.invalid", name: "environment" };

/** Every `{{environment.X}}` name used in the strings of a value. */
export function environmentTemplateNames(value: unknown): string[] {
  const names = new Set<string>();
  mapStrings(value, (text) => {
    for (const match of text.matchAll(ENVIRONMENT_TEMPLATE)) names.add(match[1]!);
    return text;
  });
  return [...names];
}

/**
 * The value with `{{environment.url}}` and `{{environment.name}}` in its strings replaced; other
 * templates (`{{env.NAME}}`, case variables) are left for the provider to render.
 */
export function fillEnvironmentTemplates<T>(value: T, environment: { url: string; name: string }): T {
  return mapStrings(value, (text) =>
    text.replace(ENVIRONMENT_TEMPLATE, (whole, name: string) =>
      name === "url" ? environment.url : name === "name" ? environment.name : whole,
    ),
  ) as T;
}

const ENV_TEMPLATE = /\{\{\s*env\.([A-Za-z0-9_]+)\s*\}\}/g;

/** Every `{{env.X}}` name (a process environment variable) used in the strings of a value. */
function envTemplateNames(value: unknown): string[] {
  const names = new Set<string>();
  mapStrings(value, (text) => {
    for (const match of text.matchAll(ENV_TEMPLATE)) names.add(match[1]!);
    return text;
  });
  return [...names];
}

/**
 * A provider that talks to an environment's live endpoint (a smoke eval's, a quality monitor's),
 * `{{environment.*}}` filled in and validated, or a ConfigError at its line in llmops.yaml. The
 * config schema could only check it with placeholders; here the environment is known, so what
 * would fail at the first call fails now, before anything is deployed or run:
 * - `{{environment.url}}` in an environment without a `url`;
 * - `{{env.url}}` or `{{env.name}}` naming a process variable that is not set: almost always a
 *   slip for `{{environment.url}}` (the provider would render it empty at call time);
 * - a provider that is invalid once filled in (`{{environment.url}}` alone is a URL only then),
 *   reported at the nested key.
 * `path` is the provider's YAML path, `locate` finds a path's line (`loaded.doc.locate`).
 */
export function environmentProvider(
  value: unknown,
  path: readonly (string | number)[],
  context: {
    environment: { name: string; url?: string | undefined };
    env: Readonly<Record<string, string | undefined>>;
    locate: (path: readonly PropertyKey[]) => SourceLocation;
  },
): ProviderConfig {
  const { environment, env, locate } = context;
  const fail = (message: string, at: readonly PropertyKey[] = path): never => {
    throw new ConfigError(message, formatYamlPath(at), locate(at));
  };
  for (const name of envTemplateNames(value)) {
    if ((ENVIRONMENT_TEMPLATE_NAMES as readonly string[]).includes(name) && !env[name]) {
      fail(
        `{{env.${name}}} is the process environment variable ${name}, which is not set; for the environment's ${name} write {{environment.${name}}}`,
      );
    }
  }
  if (environmentTemplateNames(value).includes("url") && !environment.url) {
    fail(`uses {{environment.url}}, but environment ${environment.name} has no url; set environments.${environment.name}.url`);
  }
  const parsed = providerConfigSchema.safeParse(fillEnvironmentTemplates(value, { url: environment.url ?? "", name: environment.name }));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return fail(`${issue?.message ?? "invalid provider"} (with {{environment.*}} filled in)`, [...path, ...(issue?.path ?? [])]);
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

/**
 * The smoke eval run against the live endpoint after a promotion: an ordinary suite of the config,
 * with its provider replaced when `provider` is given. Provider strings may use
 * `{{environment.url}}` and `{{environment.name}}`; `{{env.NAME}}` stays the process environment.
 */
export const smokeSchema = z.strictObject({
  suite: z.string().min(1),
  /**
   * Replaces the suite's provider(s). Validated like a suite's provider with placeholders for
   * `{{environment.url}}` and `{{environment.name}}` (the values exist only at promotion, and
   * `{{environment.url}}` alone is no URL yet), so it stays a loose object until then.
   */
  provider: z
    .looseObject({ type: z.string().min(1) })
    .superRefine((provider, ctx) => {
      for (const name of environmentTemplateNames(provider)) {
        if (!ENVIRONMENT_TEMPLATE_NAMES.includes(name as (typeof ENVIRONMENT_TEMPLATE_NAMES)[number])) {
          ctx.addIssue({
            code: "custom",
            path: [],
            message: `expected {{environment.url}} or {{environment.name}}, not {{environment.${name}}}`,
          });
        }
      }
      const result = providerConfigSchema.safeParse(fillEnvironmentTemplates(provider, ENVIRONMENT_PLACEHOLDERS));
      for (const issue of result.success ? [] : result.error.issues) {
        ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      }
    })
    .optional(),
  /** How long the whole smoke run may take before it counts as failed. */
  timeoutMs: positiveMs.default(300_000),
});
export type SmokeConfig = z.infer<typeof smokeSchema>;

export const environmentSchema = z.strictObject({
  /** The model this environment serves; default the only model in `artifacts:`. */
  artifact: artifactNameSchema.optional(),
  /** The alias moved on promotion; default the environment's name. */
  alias: aliasSchema.optional(),
  /** Shown on the GitHub deployment; `{{environment.url}}` in the smoke provider. */
  url: z.url().optional(),
  requires: requirementsSchema.default({ evidence: [], promotedTo: [] }),
  /** Run in order on promotion; on failure the ones already applied are rolled back in reverse. */
  targets: z.array(targetConfigSchema).default([]),
  smoke: smokeSchema.optional(),
  /**
   * How a promotion reaches the environment: at once (default), or `canary`: a growing slice of
   * live traffic judged by live metrics (`llmops canary start|advance|analyze|abort`).
   */
  strategy: z.strictObject({ canary: canaryStrategySchema }).optional(),
  /** `auto`: a failed smoke eval rolls targets and alias back to the previous version. */
  rollback: z.enum(["auto", "manual"]).default("auto"),
  /** GitHub deployment flags; production defaults to true for an environment named `production`. */
  production: z.boolean().optional(),
  transient: z.boolean().default(false),
  /**
   * Scheduled monitoring (`llmops monitor`, actions/monitor): the monitoring suite against the
   * live endpoint vs the promotion's evidence, data drift of production inputs, alert issues.
   */
  monitor: monitorSchema(smokeSchema.shape.provider).optional(),
});
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

export const environmentsSchema = z.record(environmentNameSchema, environmentSchema);

/** Who hears about a "no" (unmet requirement, failed smoke eval, rollback). */
export const notifySchema = z.strictObject({
  /** One GitHub issue per environment, updated in place and closed by the next successful promotion. */
  issue: z.union([z.boolean(), z.strictObject({ labels: z.array(z.string().min(1)).default([]) })]).default(false),
  /** A JSON POST with a Slack-compatible `text` field, signed with HMAC-SHA256 when `secretEnv` is set. */
  webhook: z
    .strictObject({
      /** May use `{{env.NAME}}` (e.g. a Slack incoming-webhook URL kept in a secret). */
      url: z.string().min(1),
      secretEnv: z.string().min(1).optional(),
      timeoutMs: positiveMs.default(10_000),
    })
    .optional(),
});
export type NotifyConfig = z.infer<typeof notifySchema>;
