import { type GitopsTargetConfig, oneLine } from "@llmops/core";
import { z } from "zod";
import type { GitHubSeams, RepoFile, RepoFiles } from "../github-seams.ts";
import { type Target, type TargetContext, TargetError, type TargetResult, type TargetVersion } from "../target.ts";
import { type Preset, type PresetInput, planPreset } from "./manifest-presets.ts";
import { digestHex12 } from "./shared.ts";
import { editManifest, type FieldChange, type FieldValue, ManifestError, parseManifest, pathText, readField } from "./yaml-edit.ts";

/**
 * A digest-pinned reference written into a manifest of a deployment repository through the GitHub
 * API (RepoFiles): committed to a branch (`mode: commit`, optimistic on the file's blob sha) or
 * proposed as a pull request from `llmops/promote-<environment>-<shortdigest>` (`mode:
 * pull-request`). A pull request deploys nothing until it is merged, so that result is `pending`
 * (the promotion ends `proposed`); once the base branch holds the reference, apply writes nothing
 * and is not pending, and the re-run promotion finishes. manifest-presets.ts says which field each
 * preset changes; yaml-edit.ts changes it without touching any other byte of the file.
 *
 * Rollback, commit mode: the previous version's reference is written back (or, with no previous
 * version, the exact values apply found), as a new commit. Pull-request mode: the goal is that the
 * base branch points at the previous version. While the promotion's pull request is unmerged, the
 * base branch already does, so nothing is written and the pull request is left open for people
 * to close (RepoFiles cannot close one); once it has been merged, a rollback pull request from
 * `llmops/rollback-<environment>-<shortdigest>` proposes the previous reference.
 */

const TYPE = "gitops" as const;
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN = new Set(["name", "digest", "version"]);

/** Refuses placeholders other than {{name}}, {{digest}}, {{version}}, and stray braces. */
export function checkReference(template: string): void {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(match[1]!))
      throw new Error(`reference: unknown placeholder {{${match[1]}}}; expected {{name}}, {{digest}} or {{version}}`);
  }
  if (/\{\{|\}\}/.test(template.replace(PLACEHOLDER, "")))
    throw new Error("reference: unbalanced {{ }}; expected {{name}}, {{digest}} or {{version}}");
}

/** Whether a reference pins the exact version (names `{{digest}}`). */
export function pinsDigest(template: string): boolean {
  return /\{\{\s*digest\s*\}\}/.test(template);
}

export function renderReference(template: string, version: TargetVersion): string {
  checkReference(template);
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (name === "name") return version.name;
    if (name === "digest") return version.digest;
    if (!version.version) throw new Error(`reference uses {{version}}, but ${version.name}@${version.digest} has no version tag`);
    return version.version;
  });
}

const detailsSchema = z.looseObject({
  repository: z.string(),
  path: z.string(),
  mode: z.enum(["commit", "pull-request"]),
  base: z.string(),
  branch: z.string(),
  reference: z.string(),
  digest: z.string(),
  previous: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
  pullRequest: z.object({ number: z.number(), url: z.string() }).optional(),
});
type GitopsDetails = z.infer<typeof detailsSchema>;

export interface Written {
  content: string;
  changes: FieldChange[];
  previous: Record<string, FieldValue | null>;
}

/** Makes the caller's own error from a message: a TargetError for the target, a RouterError for the router. */
export type GitopsFail = (message: string, options?: { cause?: unknown }) => Error;

/**
 * One manifest of a deployment repository through RepoFiles: read from a branch, edited by a
 * preset, committed (only if the file is still at the blob it was read at) or proposed as a pull
 * request. The gitops target and the gitops router both write through it, so both name the file,
 * refuse a missing one and report a concurrent change the same way; `fail` makes each one's
 * errors, `actor` says in a conflict what to run again ("promotion", "rollout").
 */
export class ManifestFile {
  readonly files: RepoFiles;
  readonly repository: string;
  readonly path: string;
  readonly #fail: GitopsFail;
  readonly #actor: string;
  /** Errors made here pass `call` unwrapped. */
  readonly #own = new WeakSet<object>();

  constructor(files: RepoFiles, repository: string, path: string, fail: GitopsFail, actor: string) {
    this.files = files;
    this.repository = repository;
    this.path = path;
    this.#fail = fail;
    this.#actor = actor;
  }

  /** The file named by `location` in its repository (default the workflow's), with the token in `tokenEnv`. */
  static connect(
    location: { repository?: string | undefined; path: string; tokenEnv: string },
    github: GitHubSeams,
    fail: GitopsFail,
    actor: string,
  ): ManifestFile {
    const repository = location.repository ?? github.repository;
    if (!repository) throw fail("repository is not set and the workflow's repository is unknown; expected repository: owner/repo");
    const files = github.repoFiles?.(location.tokenEnv);
    if (!files) throw fail(`no GitHub API access for ${repository}: expected a token in ${location.tokenEnv}`);
    return new ManifestFile(files, repository, location.path, fail, actor);
  }

  /** `branch` when configured, else the repository's default branch. */
  async branch(configured: string | undefined): Promise<string> {
    return configured ?? (await this.call(() => this.files.defaultBranch(this.repository)));
  }

  /** The file on `branch`; its absence is an error (there is nothing to update). */
  async read(branch: string): Promise<RepoFile> {
    const file = await this.call(() => this.files.read(this.repository, this.path, branch));
    if (!file) throw this.#error(`${this.repository}:${this.path} does not exist on ${branch}; expected the manifest to update`);
    return file;
  }

  /** `inspect` of the parsed documents, with a ManifestError turned into the caller's error naming the file and preset. */
  parse<T>(preset: Preset, content: string, inspect: (docs: ReturnType<typeof parseManifest>) => T): T {
    try {
      return inspect(parseManifest(content));
    } catch (error) {
      if (error instanceof ManifestError) throw this.#error(`${this.repository}:${this.path} (${preset}): ${error.message}`);
      throw error;
    }
  }

  /**
   * `content` with the preset's fields set from `input` (`adjust` may change or drop a change),
   * and the values the changed fields had.
   */
  edit(preset: Preset, content: string, input: PresetInput, adjust?: (change: FieldChange) => FieldChange | undefined): Written {
    return this.parse(preset, content, (docs) => {
      const plan = planPreset(preset, docs, input);
      const doc = docs[plan.document]!;
      const changes = adjust ? plan.changes.map(adjust).filter((c): c is FieldChange => c !== undefined) : plan.changes;
      const previous = Object.fromEntries(changes.map((c) => [c.name, readField(doc, c.parent, c.key)]));
      return { content: editManifest(content, plan.document, changes), changes, previous };
    });
  }

  /** One commit of `content` on `branch` (created from `base` when given and missing), only if the file is still at `previous`. */
  async write(request: {
    branch: string;
    base?: string;
    content: string;
    previous: RepoFile | null;
    message: string;
  }): Promise<{ commit: string; url: string }> {
    const { repository, path } = this;
    const { branch } = request;
    try {
      return await this.files.write({
        repository,
        path,
        branch,
        ...(request.base ? { base: request.base } : {}),
        content: request.content,
        previousSha: request.previous?.sha ?? null,
        message: request.message,
      });
    } catch (error) {
      if (isConflict(error)) {
        throw this.#error(
          `${repository}:${path} changed on ${branch} while the ${this.#actor} was writing it (it was at blob ${request.previous?.sha.slice(0, 12) ?? "(absent)"}); run the ${this.#actor} again to apply it on top of the new content`,
          { cause: error },
        );
      }
      throw this.#error(`${repository}:${path}: writing to ${branch} failed: ${oneLine(error)}`, { cause: error });
    }
  }

  /** Writes `content` to `head` (created from `base`), unless it already holds it, and opens (or finds) the pull request. */
  async propose(request: {
    base: string;
    head: string;
    content: string;
    baseFile: RepoFile;
    title: string;
    body: string;
  }): Promise<{ number: number; url: string }> {
    const { repository } = this;
    const { base, head } = request;
    const existing = await this.call(() => this.files.read(repository, this.path, head));
    if (existing?.content !== request.content) {
      await this.write({ branch: head, base, content: request.content, previous: existing ?? request.baseFile, message: request.title });
    }
    return this.call(() => this.files.openPullRequest({ repository, head, base, title: request.title, body: request.body }));
  }

  /** A RepoFiles call whose failure becomes the caller's error naming the file. */
  async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (typeof error === "object" && error !== null && this.#own.has(error)) throw error;
      throw this.#error(`${this.repository}:${this.path}: ${oneLine(error)}`, { cause: error });
    }
  }

  #error(message: string, options?: { cause?: unknown }): Error {
    const error = this.#fail(message, options);
    this.#own.add(error);
    return error;
  }
}

export class GitopsTarget implements Target {
  readonly type = TYPE;
  readonly #config: GitopsTargetConfig;

  constructor(config: GitopsTargetConfig) {
    try {
      checkReference(config.reference);
    } catch (error) {
      throw new TargetError(TYPE, (error as Error).message);
    }
    if (config.preset !== "kustomize" && !pinsDigest(config.reference)) {
      throw new TargetError(
        TYPE,
        `reference ${config.reference}: expected {{digest}} in it, so the ${config.preset} manifest pins the exact version`,
      );
    }
    if (config.canaryTrafficPercent !== undefined && config.preset !== "kserve") {
      throw new TargetError(TYPE, `canaryTrafficPercent is a KServe InferenceService field; preset ${config.preset} has none`);
    }
    this.#config = config;
  }

  async apply(version: TargetVersion, context: TargetContext): Promise<TargetResult> {
    const manifest = this.#connect(context);
    const { repository } = manifest;
    const base = await manifest.branch(this.#config.branch);
    const reference = this.#render(version);
    const file = await manifest.read(base);
    const edit = manifest.edit(this.#config.preset, file.content, {
      reference,
      digest: version.digest,
      field: this.#config.field,
      canaryTrafficPercent: this.#config.canaryTrafficPercent,
    });
    const label = version.version ?? digestHex12(version.digest);
    const details = {
      repository,
      path: this.#config.path,
      mode: this.#config.mode,
      preset: this.#config.preset,
      base,
      branch: base,
      reference,
      digest: version.digest,
      fields: edit.changes.map((c) => pathText([...c.parent, c.key])),
      previous: edit.previous,
      changed: edit.content !== file.content,
    } satisfies GitopsDetails & Record<string, unknown>;
    const title = `Promote ${version.name} ${label} to ${context.environment}`;
    if (this.#config.mode === "commit") {
      if (!details.changed) return { type: TYPE, summary: `${repository}:${this.#config.path} already at ${label} on ${base}`, details };
      const commit = await manifest.write({
        branch: base,
        content: edit.content,
        previous: file,
        message: `${title}\n\n${reference}\nPromotion: ${context.promotionId}`,
      });
      context.logger.info(`gitops: committed ${reference} to ${repository}:${this.#config.path} on ${base} (${commit.commit})`);
      return {
        type: TYPE,
        summary: `commit ${repository}@${commit.commit.slice(0, 12)} (${this.#config.path})`,
        details: { ...details, ...commit },
      };
    }
    // Already on the base branch (the pull request was merged, or someone wrote it): in service, not pending.
    if (!details.changed) return { type: TYPE, summary: `${repository}:${this.#config.path} already at ${label} on ${base}`, details };
    const head = `llmops/promote-${context.environment}-${digestHex12(version.digest)}`;
    const body = [
      `Promotes **${version.name}** ${label} to **${context.environment}**.`,
      "",
      "| | |",
      "|---|---|",
      `| Model | \`${version.name}\` |`,
      `| Version | ${version.version ?? "(none)"} |`,
      `| Digest | \`${version.digest}\` |`,
      `| Environment | ${context.environment} |`,
      `| Reference | \`${reference}\` |`,
      `| File | \`${this.#config.path}\` (${details.fields.map((f) => `\`${f}\``).join(", ")}) |`,
      `| Promotion | ${context.promotionId} |`,
      "",
      "Opened by llmops promote; merging it deploys the version.",
    ].join("\n");
    const pr = await manifest.propose({ base, head, content: edit.content, baseFile: file, title, body });
    context.logger.info(`gitops: ${repository}#${pr.number} proposes ${reference} for ${context.environment}`);
    // Nothing is deployed until someone merges it: the promotion stops here as `proposed`.
    return { type: TYPE, summary: `PR ${repository}#${pr.number}`, details: { ...details, branch: head, pullRequest: pr }, pending: true };
  }

  async rollback(previous: TargetVersion | null, applied: TargetResult, context: TargetContext): Promise<TargetResult> {
    const parsed = detailsSchema.safeParse(applied.details);
    if (!parsed.success) throw new TargetError(TYPE, "rollback: the recorded result of apply is not a gitops result");
    const d = parsed.data;
    const manifest = this.#connect(context, d.repository);
    const repository = d.repository;
    // With a previous version: its reference, and the canary share as it was before. Without one:
    // exactly the values apply found.
    const input: PresetInput = previous
      ? { reference: this.#render(previous), digest: previous.digest, field: this.#config.field }
      : { reference: d.reference, digest: d.digest, field: this.#config.field };
    if (this.#config.canaryTrafficPercent !== undefined) input.canaryTrafficPercent = null;
    const restore = (change: FieldChange): FieldChange | undefined => {
      if (!(change.name in d.previous)) return previous ? change : undefined;
      if (previous && change.name !== "canaryTrafficPercent") return change;
      return { ...change, value: d.previous[change.name] ?? null };
    };
    const branch = d.mode === "commit" ? d.branch : d.base;
    const file = await manifest.read(branch);
    const edit = manifest.edit(this.#config.preset, file.content, input, restore);
    const to = previous ? `${previous.name} ${previous.version ?? digestHex12(previous.digest)}` : "the values before the promotion";
    const result = (summary: string, extra: Record<string, unknown> = {}): TargetResult => ({
      type: TYPE,
      summary,
      details: {
        repository,
        path: d.path,
        mode: d.mode,
        branch,
        changed: edit.content !== file.content,
        replaced: edit.previous,
        ...extra,
      },
    });
    if (edit.content === file.content) {
      const pr = d.pullRequest ? `; pull request #${d.pullRequest.number} is left open: close it (${d.pullRequest.url})` : "";
      return result(`${repository}:${d.path} on ${branch} already points at ${to}${pr}`);
    }
    const title = `Roll back ${context.environment} to ${to}`;
    if (d.mode === "commit") {
      const commit = await manifest.write({
        branch,
        content: edit.content,
        previous: file,
        message: `${title}\n\nRolls back ${d.reference}\nPromotion: ${context.promotionId}`,
      });
      return result(`commit ${repository}@${commit.commit.slice(0, 12)} (${d.path}, rollback)`, commit);
    }
    const head = `llmops/rollback-${context.environment}-${digestHex12(d.digest)}`;
    const body = `Rolls **${context.environment}** back from \`${d.reference}\` to ${to}.\n\nPromotion: ${context.promotionId}`;
    const pr = await manifest.propose({ base: branch, head, content: edit.content, baseFile: file, title, body });
    return result(`PR ${repository}#${pr.number} (rollback)`, { pullRequest: pr, head });
  }

  #render(version: TargetVersion): string {
    try {
      return renderReference(this.#config.reference, version);
    } catch (error) {
      throw new TargetError(TYPE, (error as Error).message);
    }
  }

  #connect(context: TargetContext, recorded?: string): ManifestFile {
    const fail: GitopsFail = (message, options) => new TargetError(TYPE, message, options);
    const manifest = ManifestFile.connect(this.#config, context.github, fail, "promotion");
    // A rollback writes where apply wrote, whatever the workflow's repository is now.
    if (recorded === undefined || recorded === manifest.repository) return manifest;
    return new ManifestFile(manifest.files, recorded, this.#config.path, fail, "promotion");
  }
}

/** A write refused because the file moved on (GitHub's contents API answers 409 for a stale sha). */
function isConflict(error: unknown): boolean {
  const e = error as { status?: unknown; name?: unknown; message?: unknown };
  if (e?.status === 409) return true;
  if (typeof e?.name === "string" && /conflict/i.test(e.name)) return true;
  return typeof e?.message === "string" && /\b(conflict|does not match)\b/i.test(e.message);
}
