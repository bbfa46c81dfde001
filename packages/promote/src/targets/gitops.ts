import { type GitopsTargetConfig, oneLine } from "@llmops/core";
import { z } from "zod";
import type { RepoFile, RepoFiles } from "../github-seams.ts";
import { type Target, type TargetContext, TargetError, type TargetResult, type TargetVersion } from "../target.ts";
import { type PresetInput, planPreset } from "./manifest-presets.ts";
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

interface Written {
  content: string;
  changes: FieldChange[];
  previous: Record<string, FieldValue | null>;
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
    if (config.preset !== "kustomize" && !/\{\{\s*digest\s*\}\}/.test(config.reference)) {
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
    const { files, repository } = this.#connect(context);
    const base = this.#config.branch ?? (await this.#call(repository, () => files.defaultBranch(repository)));
    const reference = this.#render(version);
    const file = await this.#read(files, repository, base);
    const edit = this.#edit(repository, file.content, {
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
      const commit = await this.#write(files, {
        repository,
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
    const pr = await this.#propose(files, { repository, base, head, content: edit.content, baseFile: file, title, body });
    context.logger.info(`gitops: ${repository}#${pr.number} proposes ${reference} for ${context.environment}`);
    // Nothing is deployed until someone merges it: the promotion stops here as `proposed`.
    return { type: TYPE, summary: `PR ${repository}#${pr.number}`, details: { ...details, branch: head, pullRequest: pr }, pending: true };
  }

  async rollback(previous: TargetVersion | null, applied: TargetResult, context: TargetContext): Promise<TargetResult> {
    const parsed = detailsSchema.safeParse(applied.details);
    if (!parsed.success) throw new TargetError(TYPE, "rollback: the recorded result of apply is not a gitops result");
    const d = parsed.data;
    const { files } = this.#connect(context);
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
    const file = await this.#read(files, repository, branch);
    const edit = this.#edit(repository, file.content, input, restore);
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
      const commit = await this.#write(files, {
        repository,
        branch,
        content: edit.content,
        previous: file,
        message: `${title}\n\nRolls back ${d.reference}\nPromotion: ${context.promotionId}`,
      });
      return result(`commit ${repository}@${commit.commit.slice(0, 12)} (${d.path}, rollback)`, commit);
    }
    const head = `llmops/rollback-${context.environment}-${digestHex12(d.digest)}`;
    const body = `Rolls **${context.environment}** back from \`${d.reference}\` to ${to}.\n\nPromotion: ${context.promotionId}`;
    const pr = await this.#propose(files, { repository, base: branch, head, content: edit.content, baseFile: file, title, body });
    return result(`PR ${repository}#${pr.number} (rollback)`, { pullRequest: pr, head });
  }

  #render(version: TargetVersion): string {
    try {
      return renderReference(this.#config.reference, version);
    } catch (error) {
      throw new TargetError(TYPE, (error as Error).message);
    }
  }

  #connect(context: TargetContext): { files: RepoFiles; repository: string } {
    const repository = this.#config.repository ?? context.github.repository;
    if (!repository)
      throw new TargetError(TYPE, "repository is not set and the workflow's repository is unknown; expected repository: owner/repo");
    const files = context.github.repoFiles?.(this.#config.tokenEnv);
    if (!files) throw new TargetError(TYPE, `no GitHub API access for ${repository}: expected a token in ${this.#config.tokenEnv}`);
    return { files, repository };
  }

  #edit(repository: string, content: string, input: PresetInput, adjust?: (change: FieldChange) => FieldChange | undefined): Written {
    try {
      const docs = parseManifest(content);
      const plan = planPreset(this.#config.preset, docs, input);
      const doc = docs[plan.document]!;
      const changes = adjust ? plan.changes.map(adjust).filter((c): c is FieldChange => c !== undefined) : plan.changes;
      const previous = Object.fromEntries(changes.map((c) => [c.name, readField(doc, c.parent, c.key)]));
      return { content: editManifest(content, plan.document, changes), changes, previous };
    } catch (error) {
      if (error instanceof ManifestError)
        throw new TargetError(TYPE, `${repository}:${this.#config.path} (${this.#config.preset}): ${error.message}`);
      throw error;
    }
  }

  async #read(files: RepoFiles, repository: string, branch: string): Promise<RepoFile> {
    const file = await this.#call(repository, () => files.read(repository, this.#config.path, branch));
    if (!file)
      throw new TargetError(TYPE, `${repository}:${this.#config.path} does not exist on ${branch}; expected the manifest to update`);
    return file;
  }

  async #write(
    files: RepoFiles,
    request: { repository: string; branch: string; base?: string; content: string; previous: RepoFile | null; message: string },
  ): Promise<{ commit: string; url: string }> {
    const { repository, branch } = request;
    try {
      return await files.write({
        repository,
        path: this.#config.path,
        branch,
        ...(request.base ? { base: request.base } : {}),
        content: request.content,
        previousSha: request.previous?.sha ?? null,
        message: request.message,
      });
    } catch (error) {
      if (isConflict(error)) {
        throw new TargetError(
          TYPE,
          `${repository}:${this.#config.path} changed on ${branch} while the promotion was writing it (it was at blob ${request.previous?.sha.slice(0, 12) ?? "(absent)"}); run the promotion again to apply it on top of the new content`,
          { cause: error },
        );
      }
      throw new TargetError(TYPE, `${repository}:${this.#config.path}: writing to ${branch} failed: ${oneLine(error)}`, { cause: error });
    }
  }

  /** Writes `content` to `head` (created from `base`), unless it already holds it, and opens (or finds) the pull request. */
  async #propose(
    files: RepoFiles,
    request: { repository: string; base: string; head: string; content: string; baseFile: RepoFile; title: string; body: string },
  ): Promise<{ number: number; url: string }> {
    const { repository, base, head } = request;
    const existing = await this.#call(repository, () => files.read(repository, this.#config.path, head));
    if (existing?.content !== request.content) {
      await this.#write(files, {
        repository,
        branch: head,
        base,
        content: request.content,
        previous: existing ?? request.baseFile,
        message: request.title,
      });
    }
    return this.#call(repository, () => files.openPullRequest({ repository, head, base, title: request.title, body: request.body }));
  }

  async #call<T>(repository: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TargetError) throw error;
      throw new TargetError(TYPE, `${repository}:${this.#config.path}: ${oneLine(error)}`, { cause: error });
    }
  }
}

/** A write refused because the file moved on (GitHub's contents API answers 409 for a stale sha). */
function isConflict(error: unknown): boolean {
  const e = error as { status?: unknown; name?: unknown; message?: unknown };
  if (e?.status === 409) return true;
  if (typeof e?.name === "string" && /conflict/i.test(e.name)) return true;
  return typeof e?.message === "string" && /\b(conflict|does not match)\b/i.test(e.message);
}
