import { readFileSync } from "node:fs";
import { gitopsRouterSchema, type RecordingLogger, recordingLogger } from "@llmops/core";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type RouterContext, RouterError } from "../../src/canary/router.ts";
import { createGitopsRouter } from "../../src/canary/routers/gitops.ts";
import type { TargetVersion } from "../../src/target.ts";
import { FakeRepoFiles } from "../targets/fake-repo-files.ts";
import { rejection } from "../targets/helpers.ts";

const schema = JSON.parse(
  readFileSync(new URL("../../../../test/fixtures/kserve/inferenceservice-v1beta1.schema.json", import.meta.url), "utf8"),
);
// strict: false lets the CRD schema keep its x-kubernetes-* keywords, which Ajv does not know.
const validateInferenceService = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);

const REPO = "acme/deploy";
const PATH = "prod/isvc.yaml";
const OLD = "sha256:" + "a".repeat(64);
const NEW = "sha256:" + "b".repeat(64);
const stable: TargetVersion = { name: "team/sentiment", digest: OLD, version: "v1" };
const candidate: TargetVersion = { name: "team/sentiment", digest: NEW, version: "v2" };
const versions = { stable, candidate };
const ref = (digest: string) => `oci://ghcr.io/acme/models/team/sentiment@${digest}`;

const ISVC = `# Production inference service for the sentiment model.
apiVersion: v1
kind: ServiceAccount
metadata:
  name: sentiment-sa   # pulls from ghcr.io
---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: sentiment
  annotations:
    serving.kserve.io/deploymentMode: Serverless   # canaries need Knative revisions
spec:
  predictor:
    serviceAccountName: sentiment-sa
    minReplicas: 2    # keep two for availability
    model:
      modelFormat:
        name: onnx
      runtime: kserve-tritonserver
      storageUri: ${ref(OLD)}   # pinned by digest
      resources:
        limits: {cpu: "2", memory: 4Gi}
`;

/** ISVC with the candidate's reference and, when given, canaryTrafficPercent (appended to spec.predictor). */
function expected(digest: string, percent?: number): string {
  const text = ISVC.replace(`${ref(OLD)}   #`, `${ref(digest)}   #`);
  return percent === undefined ? text : `${text}    canaryTrafficPercent: ${percent}\n`;
}

function setup(content = ISVC, config: Record<string, unknown> = {}) {
  const repo = new FakeRepoFiles(REPO, { [PATH]: content });
  const router = createGitopsRouter(
    gitopsRouterSchema.parse({
      type: "gitops",
      repository: REPO,
      path: PATH,
      reference: "oci://ghcr.io/acme/models/{{name}}@{{digest}}",
      ...config,
    }),
  );
  const ctx = (): RouterContext & { logger: RecordingLogger } => ({
    environment: "production",
    rolloutId: "rollout-1",
    configDir: "/",
    env: {},
    logger: recordingLogger(),
    github: { repoFiles: (env) => (env === "GITHUB_TOKEN" ? repo : undefined) },
  });
  return { repo, router, ctx };
}

/** The InferenceService document of the file on main, as the API server would receive it. */
function isvc(repo: FakeRepoFiles): Record<string, unknown> {
  return parseAllDocuments(repo.file("main", PATH)!).map((d) => d.toJS())[1];
}

describe("gitops router (KServe canaryTrafficPercent)", () => {
  it("steps 5 → 25 → 100: the candidate's reference with the share, then without it; every manifest is a valid InferenceService", async () => {
    const { repo, router, ctx } = setup();
    expect(router.type).toBe("gitops");
    expect(router.variantNames).toEqual({ stable: "stable", canary: "canary" });

    const five = await router.setCanaryPercent(5, versions, ctx());
    expect(repo.file("main", PATH)).toBe(expected(NEW, 5));
    expect(validateInferenceService(isvc(repo)), JSON.stringify(validateInferenceService.errors)).toBe(true);
    expect(five.canaryPercent).toBe(5);
    expect(five.details).toMatchObject({
      repository: REPO,
      path: PATH,
      branch: "main",
      changed: true,
      storageUri: ref(NEW),
      canaryTrafficPercent: 5,
    });
    expect(five.summary).toMatch(
      /^kserve acme\/deploy:prod\/isvc\.yaml commit [0-9a-f]{12}: oci:\/\/.*@sha256:b{64} at canaryTrafficPercent 5$/,
    );
    expect(repo.commits.at(-1)!.message).toBe(
      `Canary team/sentiment v2 at 5% in production\n\n${ref(NEW)}\ncanaryTrafficPercent: 5\nRollout: rollout-1`,
    );
    expect((await router.read(versions, ctx()))?.canaryPercent).toBe(5);

    await router.setCanaryPercent(25, versions, ctx());
    expect(repo.file("main", PATH)).toBe(expected(NEW, 25));
    expect(validateInferenceService(isvc(repo)), JSON.stringify(validateInferenceService.errors)).toBe(true);
    expect((await router.read(versions, ctx()))?.canaryPercent).toBe(25);

    // A resumed rollout repeats a step: nothing is written.
    const commits = repo.commits.length;
    const again = await router.setCanaryPercent(25, versions, ctx());
    expect(again).toMatchObject({ canaryPercent: 25, details: { changed: false } });
    expect(repo.commits).toHaveLength(commits);

    // 100: KServe's "promote the canary model by removing the canaryTrafficPercent field".
    const full = await router.setCanaryPercent(100, versions, ctx());
    expect(repo.file("main", PATH)).toBe(expected(NEW));
    expect(isvc(repo)).not.toHaveProperty("spec.predictor.canaryTrafficPercent");
    expect(validateInferenceService(isvc(repo)), JSON.stringify(validateInferenceService.errors)).toBe(true);
    expect(full.canaryPercent).toBe(100);
    expect(repo.commits.at(-1)!.message).toMatch(/^Roll out team\/sentiment v2 to all traffic in production\n/);
    const read = await router.read(versions, ctx());
    expect(read).toMatchObject({ canaryPercent: 100, details: { storageUri: ref(NEW), canaryTrafficPercent: null } });
  });

  it("0 (abort) pins the previous revision: canaryTrafficPercent 0 with the candidate's reference, after a step or after 100", async () => {
    for (const last of [25, 100]) {
      const { repo, router, ctx } = setup();
      await router.setCanaryPercent(last, versions, ctx());
      const abort = await router.setCanaryPercent(0, versions, ctx());
      expect(repo.file("main", PATH), `after ${last}`).toBe(expected(NEW, 0));
      expect(validateInferenceService(isvc(repo)), JSON.stringify(validateInferenceService.errors)).toBe(true);
      expect(abort).toMatchObject({ canaryPercent: 0, details: { changed: true, canaryTrafficPercent: 0 } });
      expect(repo.commits.at(-1)!.message).toBe(
        `Abort canary of team/sentiment v2 in production\n\n${ref(NEW)}\ncanaryTrafficPercent: 0 pins the previous rolled-out revision\nRollout: rollout-1`,
      );
      expect((await router.read(versions, ctx()))?.canaryPercent).toBe(0);
      // Safe to repeat.
      const commits = repo.commits.length;
      await router.setCanaryPercent(0, versions, ctx());
      expect(repo.commits).toHaveLength(commits);
    }
  });

  it("0 before the candidate reached the manifest writes nothing: no traffic goes to it", async () => {
    const { repo, router, ctx } = setup();
    const reading = await router.setCanaryPercent(0, versions, ctx());
    expect(reading).toMatchObject({ canaryPercent: 0, details: { changed: false, storageUri: ref(OLD) } });
    expect(repo.commits).toHaveLength(0);
    expect(repo.file("main", PATH)).toBe(ISVC);
  });

  it("0 with both slots on the candidate (a completed rollout) gives it all traffic: the field is removed", async () => {
    const { repo, router, ctx } = setup();
    await router.setCanaryPercent(50, versions, ctx());
    const done = await router.setCanaryPercent(0, { stable: candidate, candidate }, ctx());
    expect(repo.file("main", PATH)).toBe(expected(NEW));
    expect(done.canaryPercent).toBe(0);
  });

  it("refuses a manifest KServe would not split (RawDeployment, Standard) before writing anything", async () => {
    for (const mode of ["RawDeployment", "Standard", "ModelMesh"]) {
      const { repo, router, ctx } = setup(ISVC.replace("deploymentMode: Serverless", `deploymentMode: ${mode}`));
      const error = await rejection(router.setCanaryPercent(5, versions, ctx()));
      expect(error).toBeInstanceOf(RouterError);
      expect(error.message).toBe(
        `router gitops: acme/deploy:prod/isvc.yaml: serving.kserve.io/deploymentMode is ${mode}; KServe splits traffic by canaryTrafficPercent only in Serverless (Knative) mode, so a canary there would send all traffic to the candidate`,
      );
      expect(repo.commits).toHaveLength(0);
    }
    // Knative (KServe 0.16's name for Serverless) and no annotation at all are split.
    for (const content of [
      ISVC.replace("deploymentMode: Serverless", "deploymentMode: Knative"),
      ISVC.replace(/ {2}annotations:\n.*\n/, ""),
    ]) {
      const { repo, router, ctx } = setup(content);
      await router.setCanaryPercent(5, versions, ctx());
      expect(repo.commits).toHaveLength(1);
    }
  });

  it("refuses percentages KServe cannot take and a manifest whose canaryTrafficPercent is not one", async () => {
    const { router, ctx } = setup();
    for (const bad of [12.5, -1, 101, Number.NaN]) {
      expect((await rejection(router.setCanaryPercent(bad, versions, ctx()))).message).toMatch(
        /^router gitops: canaryTrafficPercent must be an integer from 0 to 100, got /,
      );
    }
    for (const value of ['"50"', "250", "7.5"]) {
      const broken = setup(expected(NEW).replace("minReplicas: 2", `canaryTrafficPercent: ${value}\n    minReplicas: 2`));
      const error = await rejection(broken.router.read(versions, broken.ctx()));
      expect(error).toBeInstanceOf(RouterError);
      expect(error.message).toMatch(/spec\.predictor\.canaryTrafficPercent is .*; expected an integer from 0 to 100$/);
    }
    const noModel = setup(ISVC.replace("    model:\n", "    sklearn:\n"));
    expect((await rejection(noModel.router.read(versions, noModel.ctx()))).message).toBe(
      "router gitops: acme/deploy:prod/isvc.yaml (kserve): spec.predictor.model is missing; expected an InferenceService with spec.predictor.model (modelFormat, storageUri)",
    );
  });

  it("warns when the manifest names neither version: KServe splits with whatever it rolled out last", async () => {
    const other = "sha256:" + "c".repeat(64);
    const { router, ctx } = setup(ISVC.replace(ref(OLD), ref(other)));
    const c = ctx();
    await router.setCanaryPercent(5, versions, c);
    expect(c.logger.lines.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
      `gitops router: acme/deploy:prod/isvc.yaml names ${ref(other)}, neither the stable version nor the candidate; KServe splits between its last rolled-out revision and the candidate`,
    ]);
  });

  it("refuses pull-request mode: a step that waits for a merge would be recorded as in force", () => {
    expect(() =>
      gitopsRouterSchema.parse({ type: "gitops", path: "isvc.yaml", reference: "oci://r/{{name}}@{{digest}}", mode: "pull-request" }),
    ).toThrow("expected commit: each canary step must apply at once");
  });
  it("escapes the file's text in summaries and logs: a newline in it cannot start a log line", async () => {
    const { router, ctx } = setup(ISVC.replace(`${ref(OLD)}   # pinned by digest`, '"oci://x/y@sha256:1\\n::error::forged"'));
    const c = ctx();
    const reading = (await router.read(versions, c))!;
    expect(reading.details.storageUri).toBe("oci://x/y@sha256:1\n::error::forged");
    expect(reading.summary).toContain("oci://x/y@sha256:1\\n::error::forged");
    expect(reading.summary).not.toContain("\n");
    await router.setCanaryPercent(5, versions, c);
    expect(c.logger.lines.map((l) => l.level)).toEqual(["warn", "info"]);
    expect(c.logger.lines.every((l) => !l.message.includes("\n"))).toBe(true);
  });

  it("a concurrent change of the file is one error saying to run the rollout again; nothing else is written", async () => {
    const { repo, router, ctx } = setup();
    repo.beforeWrite = () => repo.branches.get("main")!.set(PATH, `${ISVC}# someone else\n`);
    const error = await rejection(router.setCanaryPercent(5, versions, ctx()));
    expect(error).toBeInstanceOf(RouterError);
    expect(error.message).toMatch(
      /^router gitops: acme\/deploy:prod\/isvc\.yaml changed on main while the rollout was writing it \(it was at blob [0-9a-f]{12}\); run the rollout again/,
    );
    expect(repo.commits).toHaveLength(0);
  });

  it("refuses a reference without {{digest}}, unknown placeholders, and a repository without a token", async () => {
    const make = (reference: string) => () => createGitopsRouter(gitopsRouterSchema.parse({ type: "gitops", path: PATH, reference }));
    expect(make("oci://ghcr.io/acme/{{name}}:{{version}}")).toThrow(
      "router gitops: reference oci://ghcr.io/acme/{{name}}:{{version}}: expected {{digest}} in it, so the manifest pins the exact version",
    );
    expect(make("oci://x/{{model}}@{{digest}}")).toThrow("router gitops: reference: unknown placeholder {{model}}");
    const { router } = setup(ISVC, { tokenEnv: "DEPLOY_TOKEN" });
    const error = await rejection(
      router.read(versions, { environment: "production", rolloutId: "r", configDir: "/", env: {}, logger: recordingLogger(), github: {} }),
    );
    expect(error.message).toBe("router gitops: no GitHub API access for acme/deploy: expected a token in DEPLOY_TOKEN");
  });
});
