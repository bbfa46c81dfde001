import { z } from "zod";
import { aliasSchema, artifactNameSchema } from "./names.ts";
import { providerConfigSchema } from "./suite.ts";

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

/** A Triton / TF Serving model repository on a filesystem path: `<root>/<model>/<n>/…`. */
export const modelRepositoryTargetSchema = z.strictObject({
  type: z.literal("model-repository"),
  /** The repository root, relative to llmops.yaml. */
  root: z.string().min(1),
  /** The served model's name (a directory under root); default the artifact name's last path component. */
  model: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "expected a model directory name")
    .optional(),
  /** Which server reads the repository: Triton's `config.pbtxt` or TF Serving's `model.config`. */
  format: z.enum(["triton", "tfserving"]).default("triton"),
  /**
   * The repository root as the serving process sees it, e.g. `/models` in the container (TF
   * Serving's base_path is `<servedRoot>/<model>`); default `root`'s absolute path. TF Serving
   * only: Triton's config.pbtxt holds no paths.
   */
  servedRoot: z
    .string()
    .regex(/^(\/|[A-Za-z][A-Za-z0-9+.-]*:\/\/)/, "expected an absolute path (e.g. /models) or a URI (e.g. s3://bucket/models)")
    .optional(),
  /** Version directories kept after a promotion (the served one included). */
  keep: z.number().int().min(1).default(3),
  /** Triton's repository API (`…/v2/repository/models/<model>/load`) is called after the files are in place. */
  loadUrl: z.url().optional(),
  timeoutMs: positiveMs.default(60_000),
});

/** Where in a deployment repository's manifest the digest-pinned reference goes. */
export const gitopsPresetSchema = z.enum(["kserve", "kustomize", "helm", "compose"]);

/** A field of a manifest in a deployment repository, committed or proposed through the GitHub API. */
export const gitopsTargetSchema = z.strictObject({
  type: z.literal("gitops"),
  /** `owner/repo`; default the repository the workflow runs in. */
  repository: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "expected owner/repo")
    .optional(),
  /** The manifest's path in that repository. */
  path: z.string().min(1),
  /** Branch to commit to or to open the pull request against; default the repository's default branch. */
  branch: z.string().min(1).optional(),
  /** `commit` writes to the branch; `pull-request` opens (or updates) a pull request. */
  mode: z.enum(["commit", "pull-request"]).default("pull-request"),
  preset: gitopsPresetSchema,
  /**
   * What the manifest should point at, with `{{digest}}`, `{{name}}` and `{{version}}` substituted:
   * e.g. `oci://ghcr.io/acme/models/{{name}}@{{digest}}` for KServe, `ghcr.io/acme/{{name}}` for images.
   */
  reference: z.string().min(1),
  /** Helm values: the dotted path of the field (e.g. `model.image`); compose: the service name; kustomize: the image name. */
  field: z.string().min(1).optional(),
  /** KServe: `canaryTrafficPercent` written with the new reference (canary rollouts). */
  canaryTrafficPercent: z.number().int().min(0).max(100).optional(),
  /** Environment variable holding the token for that repository (default GITHUB_TOKEN). */
  tokenEnv: z.string().min(1).default("GITHUB_TOKEN"),
});

/** A signed JSON event (HMAC-SHA256) for any deployment system with an HTTP hook. */
export const webhookTargetSchema = z.strictObject({
  type: z.literal("webhook"),
  /** May use `{{env.NAME}}`. */
  url: z.string().min(1),
  /** Environment variable holding the HMAC key; without it the event is sent unsigned. */
  secretEnv: z.string().min(1).optional(),
  /** Header values may use `{{env.NAME}}`. */
  headers: z.record(z.string(), z.string()).default({}),
  timeoutMs: positiveMs.default(30_000),
  retries: z.number().int().min(0).max(10).default(3),
});

/** A program run with the version's directory and digest in its environment. */
export const commandTargetSchema = z.strictObject({
  type: z.literal("command"),
  argv: z.array(z.string().min(1)).min(1, "expected the program and its arguments, e.g. [./deploy.sh]"),
  /** Run for `rollback(previous)` instead of `argv` with the previous version (default: argv again). */
  rollbackArgv: z.array(z.string().min(1)).min(1).optional(),
  env: z.record(z.string(), z.string()).default({}),
  /** Working directory, relative to llmops.yaml. */
  cwd: z.string().optional(),
  timeoutMs: positiveMs.default(600_000),
});

export const targetConfigSchema = z.discriminatedUnion(
  "type",
  [modelRepositoryTargetSchema, gitopsTargetSchema, webhookTargetSchema, commandTargetSchema],
  { error: "expected a target with type model-repository, gitops, webhook or command" },
);
export type TargetConfig = z.infer<typeof targetConfigSchema>;
export type ModelRepositoryTargetConfig = z.infer<typeof modelRepositoryTargetSchema>;
export type GitopsTargetConfig = z.infer<typeof gitopsTargetSchema>;
export type WebhookTargetConfig = z.infer<typeof webhookTargetSchema>;
export type CommandTargetConfig = z.infer<typeof commandTargetSchema>;

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
  /** `auto`: a failed smoke eval rolls targets and alias back to the previous version. */
  rollback: z.enum(["auto", "manual"]).default("auto"),
  /** GitHub deployment flags; production defaults to true for an environment named `production`. */
  production: z.boolean().optional(),
  transient: z.boolean().default(false),
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
