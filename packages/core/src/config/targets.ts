import { z } from "zod";

/** Serving targets of an environment: where `promote` puts a version in service. */

const positiveMs = z.number().int().positive();

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
