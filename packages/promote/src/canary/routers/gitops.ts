import type { GitopsRouterConfig } from "@llmops/core";
import { isMap } from "yaml";
import type { TargetVersion } from "../../target.ts";
import { checkReference, type GitopsFail, ManifestFile, pinsDigest, renderReference } from "../../targets/gitops.ts";
import { inferenceService, KSERVE_MODEL, KSERVE_PREDICTOR, type PresetInput } from "../../targets/manifest-presets.ts";
import { digestHex12, excerpt } from "../../targets/shared.ts";
import { nodeAt, readField } from "../../targets/yaml-edit.ts";
import { type RolloutVersions, type Router, type RouterContext, RouterError, type RouterReading } from "../router.ts";

/**
 * KServe's own canary, driven through a deployment repository: the InferenceService's
 * `spec.predictor.model.storageUri` names the candidate and `spec.predictor.canaryTrafficPercent`
 * the share of traffic its revision gets; KServe sends the rest to the last revision it rolled out
 * at 100% (the stable version). The file is read and written through the gitops target's
 * ManifestFile (same preset, same optimistic commit, same pull requests).
 *
 * Per percent, following KServe's canary example and its controller
 * (ksvc_reconciler.go, inference_service_status.go):
 * - 1–99: the candidate's reference with canaryTrafficPercent.
 * - 100: the candidate's reference without canaryTrafficPercent ("promote the canary model by
 *   removing the field"); KServe then records the candidate's revision as rolled out.
 * - 0 while the manifest names the candidate: canaryTrafficPercent 0 with the candidate's reference
 *   ("rollback and pin the previous model"). It takes effect at once, because no new revision is
 *   made, and it still works after 100 (KServe falls back to the previous rolled-out revision).
 *   Writing the stable reference back instead would make a new revision, and until that one is
 *   ready Knative sends 100% to the latest ready revision: the candidate being aborted.
 * - 0 when both slots hold the same version (a completed rollout): the field is removed, all traffic
 *   to it.
 *
 * KServe splits traffic only in Serverless (Knative) mode; in RawDeployment/Standard mode the new
 * reference replaces the old one for all traffic, so such a manifest is refused.
 */

const TYPE = "gitops" as const;
const PRESET = "kserve" as const;
const DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode";
/** Modes in which KServe splits traffic between revisions (Knative); KServe 0.16 renamed Serverless to Knative. */
const SPLITTING_MODES = new Set(["Serverless", "Knative"]);

const fail: GitopsFail = (message, options) => new RouterError(TYPE, message, options);

/** What the manifest says now. */
interface Split {
  storageUri: string;
  /** null: no canaryTrafficPercent, all traffic to the latest revision. */
  canaryTrafficPercent: number | null;
}

export function createGitopsRouter(config: GitopsRouterConfig): Router {
  try {
    checkReference(config.reference);
  } catch (error) {
    throw new RouterError(TYPE, (error as Error).message);
  }
  // The digest is how the manifest (and the records) tell the candidate from the stable version.
  if (!pinsDigest(config.reference))
    throw new RouterError(TYPE, `reference ${config.reference}: expected {{digest}} in it, so the manifest pins the exact version`);
  return new GitopsRouter(config);
}

class GitopsRouter implements Router {
  readonly type = TYPE;
  // KServe labels its revisions by generation (`<name>-predictor-00002`), not by role, so there
  // is no fixed name a query could use; metrics name the slots as the rollout does.
  readonly variantNames = { stable: "stable", canary: "canary" };
  readonly #config: GitopsRouterConfig;

  constructor(config: GitopsRouterConfig) {
    this.#config = config;
  }

  async setCanaryPercent(canaryPercent: number, versions: RolloutVersions, context: RouterContext): Promise<RouterReading> {
    if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > 100)
      throw new RouterError(TYPE, `canaryTrafficPercent must be an integer from 0 to 100, got ${canaryPercent}`);
    const manifest = this.#connect(context);
    const base = await manifest.branch(this.#config.branch);
    const file = await manifest.read(base);
    const now = this.#inspect(manifest, file.content);
    const { candidate, stable } = versions;
    const reference = this.#render(candidate);
    const sameVersion = stable !== null && stable.digest === candidate.digest;

    let input: PresetInput | undefined;
    if (canaryPercent === 0 && !sameVersion) {
      // Nothing to pin when the manifest does not name the candidate: its revision gets no traffic from it.
      if (now.storageUri === reference) input = { reference, digest: candidate.digest, canaryTrafficPercent: 0 };
    } else {
      const field = canaryPercent === 100 || canaryPercent === 0 ? null : canaryPercent;
      input = { reference, digest: candidate.digest, canaryTrafficPercent: field };
      const known = [reference, ...(stable ? [this.#renderOptional(stable)] : [])];
      if (!known.includes(now.storageUri) && now.canaryTrafficPercent !== 0) {
        context.logger.warn(
          `gitops router: ${manifest.repository}:${manifest.path} names ${excerpt(now.storageUri)}, neither the stable version nor the candidate; KServe splits between its last rolled-out revision and the candidate`,
        );
      }
    }
    const edit = input ? manifest.edit(PRESET, file.content, input) : undefined;
    const details = { repository: manifest.repository, path: manifest.path, mode: this.#config.mode, branch: base, reference };
    // The candidate's share: what the manifest gives the reference it names, if that is the
    // candidate's (with both slots on one version, everything is the stable slot's).
    const share = (split: Split) => (split.storageUri === reference && !sameVersion ? (split.canaryTrafficPercent ?? 100) : 0);
    if (!edit || edit.content === file.content) return this.#reading(now, share(now), { ...details, changed: false }, `on ${base}`);

    const written = this.#inspect(manifest, edit.content);
    const label = `${candidate.name} ${candidate.version ?? digestHex12(candidate.digest)}`;
    const title =
      canaryPercent === 0 && !sameVersion
        ? `Abort canary of ${label} in ${context.environment}`
        : written.canaryTrafficPercent === null
          ? `Roll out ${label} to all traffic in ${context.environment}`
          : `Canary ${label} at ${canaryPercent}% in ${context.environment}`;
    const what =
      written.canaryTrafficPercent === null
        ? "canaryTrafficPercent removed: all traffic to the latest revision"
        : written.canaryTrafficPercent === 0
          ? "canaryTrafficPercent: 0 pins the previous rolled-out revision"
          : `canaryTrafficPercent: ${written.canaryTrafficPercent}`;
    // Each step is committed: the split changes when the deployment repository syncs (a pull
    // request would record a step that is not in force; the config refuses that mode).
    const commit = await manifest.write({
      branch: base,
      content: edit.content,
      previous: file,
      message: `${title}\n\n${reference}\n${what}\nRollout: ${context.rolloutId}`,
    });
    context.logger.info(`gitops router: ${what} in ${manifest.repository}:${manifest.path} on ${base} (${commit.commit})`);
    return this.#reading(written, share(written), { ...details, changed: true, ...commit }, `commit ${commit.commit.slice(0, 12)}`);
  }

  async read(versions: RolloutVersions, context: RouterContext): Promise<RouterReading> {
    const manifest = this.#connect(context);
    const base = await manifest.branch(this.#config.branch);
    const file = await manifest.read(base);
    const now = this.#inspect(manifest, file.content);
    // The candidate's share: what the manifest gives the reference it names, when that is the candidate's.
    const candidate = this.#render(versions.candidate);
    const sameVersion = versions.stable !== null && versions.stable.digest === versions.candidate.digest;
    return this.#reading(
      now,
      now.storageUri === candidate && !sameVersion ? (now.canaryTrafficPercent ?? 100) : 0,
      { repository: manifest.repository, path: manifest.path, branch: base },
      `on ${base}`,
    );
  }

  #reading(split: Split, canaryPercent: number, details: Record<string, unknown>, where: string): RouterReading {
    const share =
      split.canaryTrafficPercent === null ? "no canaryTrafficPercent (all traffic)" : `canaryTrafficPercent ${split.canaryTrafficPercent}`;
    return {
      canaryPercent,
      details: { ...details, storageUri: split.storageUri, canaryTrafficPercent: split.canaryTrafficPercent },
      // The file's text is escaped: a newline in it must not start a line of the log (an Actions workflow command).
      summary: `kserve ${details.repository}:${details.path} ${where}: ${excerpt(split.storageUri)} at ${share}`,
    };
  }

  /** The storageUri and canaryTrafficPercent of the manifest's InferenceService, refused unless KServe can split its traffic. */
  #inspect(manifest: ManifestFile, content: string): Split {
    return manifest.parse(PRESET, content, (docs) => {
      const { doc } = inferenceService(docs);
      const annotations = nodeAt(doc, ["metadata", "annotations"]);
      const mode = isMap(annotations) ? readField(doc, ["metadata", "annotations"], DEPLOYMENT_MODE) : null;
      if (mode !== null && !SPLITTING_MODES.has(String(mode)))
        throw new RouterError(
          TYPE,
          `${manifest.repository}:${manifest.path}: ${DEPLOYMENT_MODE} is ${excerpt(String(mode))}; KServe splits traffic by canaryTrafficPercent only in Serverless (Knative) mode, so a canary there would send all traffic to the candidate`,
        );
      const storageUri = readField(doc, KSERVE_MODEL, "storageUri");
      if (typeof storageUri !== "string")
        throw new RouterError(TYPE, `${manifest.repository}:${manifest.path}: spec.predictor.model.storageUri is missing or not a string`);
      const percent = readField(doc, KSERVE_PREDICTOR, "canaryTrafficPercent");
      if (percent !== null && (typeof percent !== "number" || !Number.isInteger(percent) || percent < 0 || percent > 100))
        throw new RouterError(
          TYPE,
          `${manifest.repository}:${manifest.path}: spec.predictor.canaryTrafficPercent is ${JSON.stringify(percent)}; expected an integer from 0 to 100`,
        );
      return { storageUri, canaryTrafficPercent: percent };
    });
  }

  #render(version: TargetVersion): string {
    try {
      return renderReference(this.#config.reference, version);
    } catch (error) {
      throw new RouterError(TYPE, (error as Error).message);
    }
  }

  /** The stable version's reference, only to recognise it: one without a version tag cannot fill {{version}}. */
  #renderOptional(version: TargetVersion): string | undefined {
    try {
      return renderReference(this.#config.reference, version);
    } catch {
      return undefined;
    }
  }

  #connect(context: RouterContext): ManifestFile {
    return ManifestFile.connect(this.#config, context.github, fail, "rollout");
  }
}
