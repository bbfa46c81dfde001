import { readFileSync } from "node:fs";
import { gitopsTargetSchema } from "@llmops/core";
import type { Store } from "@llmops/store";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { TargetError, type TargetVersion } from "../../src/target.ts";
import { GitopsTarget, renderReference } from "../../src/targets/gitops.ts";
import { FakeRepoFiles } from "./fake-repo-files.ts";
import { context, rejection } from "./helpers.ts";

const schema = JSON.parse(
  readFileSync(new URL("../../../../test/fixtures/kserve/inferenceservice-v1beta1.schema.json", import.meta.url), "utf8"),
);
// strict: false lets the CRD schema keep its x-kubernetes-* keywords, which Ajv does not know.
const validateInferenceService = new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);

const REPO = "acme/deploy";
const OLD = "sha256:" + "a".repeat(64);
const NEW = "sha256:" + "b".repeat(64);
const v1: TargetVersion = { name: "team/sentiment", digest: OLD, version: "v1" };
const v2: TargetVersion = { name: "team/sentiment", digest: NEW, version: "v2" };

const KSERVE = `# Production inference service for the sentiment model.
# Owned by the ML platform team; promotions are automated by llmops.
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
    serving.kserve.io/deploymentMode: RawDeployment   # no Knative here
spec:
  predictor:
    serviceAccountName: sentiment-sa
    minReplicas: 2    # keep two for availability
    model:
      modelFormat:
        name: onnx
      runtime: kserve-tritonserver
      # Pinned by digest; written by the promotion.
      storageUri: oci://ghcr.io/acme/models/team/sentiment@${OLD}   # v1
      resources:
        limits: {cpu: "2", memory: 4Gi}
`;

const KUSTOMIZATION = `# kustomization for the sentiment server
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- deployment.yaml   # the server
images:
- name: ghcr.io/acme/sentiment-server  # as written in deployment.yaml
  newTag: "1.4.2"   # replaced by the digest
- name: busybox
  newTag: "1.36"
`;

const HELM = `# Default values for sentiment.
replicaCount: 2

model:
  # OCI reference of the model, digest-pinned.
  image: ghcr.io/acme/models/team/sentiment@${OLD}   # promoted by llmops
  pullPolicy: IfNotPresent

service:
  type:   ClusterIP
  port: 8080
`;

const COMPOSE = `# Local serving stack
services:
  triton:
    image: "ghcr.io/acme/models/team/sentiment@${OLD}"  # model image
    ports:
      - "8000:8000"
  proxy:
    image: haproxy:3.0
`;

function setup(path: string, content: string, config: Record<string, unknown>) {
  const repo = new FakeRepoFiles(REPO, { [path]: content });
  const target = new GitopsTarget(gitopsTargetSchema.parse({ type: "gitops", repository: REPO, path, mode: "commit", ...config }));
  const ctx = () =>
    context({ store: {} as Store, configDir: "/", github: { repoFiles: (env) => (env === "GITHUB_TOKEN" ? repo : undefined) } });
  return { repo, target, ctx };
}

const kserveRef = "oci://ghcr.io/acme/models/{{name}}@{{digest}}";

describe("gitops target: presets", () => {
  it("kserve: sets storageUri (and canaryTrafficPercent) in the InferenceService document; every other byte stays", async () => {
    const { repo, target, ctx } = setup("prod/isvc.yaml", KSERVE, { preset: "kserve", reference: kserveRef, canaryTrafficPercent: 10 });
    const result = await target.apply(v2, ctx());
    const expected = KSERVE.replace(`sentiment@${OLD}   # v1`, `sentiment@${NEW}   # v1`) + "    canaryTrafficPercent: 10\n";
    expect(repo.file("main", "prod/isvc.yaml")).toBe(expected);
    expect(result.details).toMatchObject({
      branch: "main",
      reference: `oci://ghcr.io/acme/models/team/sentiment@${NEW}`,
      previous: { storageUri: `oci://ghcr.io/acme/models/team/sentiment@${OLD}`, canaryTrafficPercent: null },
      fields: ["spec.predictor.model.storageUri", "spec.predictor.canaryTrafficPercent"],
    });
    expect(repo.commits).toHaveLength(1);
    expect(repo.commits[0]!.message).toMatch(/^Promote team\/sentiment v2 to production\n/);
  });

  it("kserve: the written InferenceService validates against KServe's CRD schema, and a broken one does not", async () => {
    const { repo, target, ctx } = setup("isvc.yaml", KSERVE, { preset: "kserve", reference: kserveRef, canaryTrafficPercent: 25 });
    await target.apply(v2, ctx());
    const isvc = parseAllDocuments(repo.file("main", "isvc.yaml")!).map((d) => d.toJS())[1];
    expect(validateInferenceService(isvc), JSON.stringify(validateInferenceService.errors)).toBe(true);

    const numberUri = structuredClone(isvc);
    numberUri.spec.predictor.model.storageUri = 42;
    expect(validateInferenceService(numberUri)).toBe(false);
    expect(validateInferenceService.errors?.[0]).toMatchObject({
      instancePath: "/spec/predictor/model/storageUri",
      message: "must be string",
    });
    const textCanary = structuredClone(isvc);
    textCanary.spec.predictor.canaryTrafficPercent = "abc";
    expect(validateInferenceService(textCanary)).toBe(false);
    expect(validateInferenceService.errors?.[0]).toMatchObject({
      instancePath: "/spec/predictor/canaryTrafficPercent",
      message: "must be integer",
    });
    const noPredictor = structuredClone(isvc);
    delete noPredictor.spec.predictor;
    expect(validateInferenceService(noPredictor)).toBe(false);
  });

  it("kustomize: sets digest and newName on the image entry and removes newTag; other entries stay", async () => {
    const { repo, target, ctx } = setup("kustomization.yaml", KUSTOMIZATION, {
      preset: "kustomize",
      field: "ghcr.io/acme/sentiment-server",
      reference: "ghcr.io/acme/models/{{name}}",
    });
    await target.apply(v2, ctx());
    expect(repo.file("main", "kustomization.yaml")).toBe(
      KUSTOMIZATION.replace(
        '  newTag: "1.4.2"   # replaced by the digest\n',
        `  newName: ghcr.io/acme/models/team/sentiment\n  digest: ${NEW}\n`,
      ),
    );
  });

  it("helm: sets the dotted field", async () => {
    const { repo, target, ctx } = setup("values.yaml", HELM, {
      preset: "helm",
      field: "model.image",
      reference: "ghcr.io/acme/models/{{name}}@{{digest}}",
    });
    await target.apply(v2, ctx());
    expect(repo.file("main", "values.yaml")).toBe(HELM.replace(`sentiment@${OLD}   #`, `sentiment@${NEW}   #`));
  });

  it("compose: sets services.<field>.image, keeping its quotes", async () => {
    const { repo, target, ctx } = setup("compose.yaml", COMPOSE, {
      preset: "compose",
      field: "triton",
      reference: "ghcr.io/acme/models/{{name}}@{{digest}}",
    });
    await target.apply(v2, ctx());
    expect(repo.file("main", "compose.yaml")).toBe(COMPOSE.replace(`sentiment@${OLD}"`, `sentiment@${NEW}"`));
  });

  it("writes nothing when the manifest already points at the version (a re-run)", async () => {
    const { repo, target, ctx } = setup("values.yaml", HELM, {
      preset: "helm",
      field: "model.image",
      reference: "ghcr.io/acme/models/{{name}}@{{digest}}",
    });
    const result = await target.apply(v1, ctx());
    expect(result.details).toMatchObject({ changed: false });
    expect(repo.commits).toHaveLength(0);
  });

  it("refuses a missing path, a missing parent structure, and unknown placeholders, each in one line naming the target", async () => {
    const missing = setup("values.yaml", HELM, { preset: "helm", field: "model.image", reference: "x@{{digest}}", path: "nope.yaml" });
    const e1 = await rejection(missing.target.apply(v2, missing.ctx()));
    expect(e1).toBeInstanceOf(TargetError);
    expect(e1.message).toBe("target gitops: acme/deploy:nope.yaml does not exist on main; expected the manifest to update");

    const parent = setup("values.yaml", HELM, { preset: "helm", field: "serving.model.image", reference: "x@{{digest}}" });
    expect((await rejection(parent.target.apply(v2, parent.ctx()))).message).toBe(
      "target gitops: acme/deploy:values.yaml (helm): serving is missing",
    );

    const noModel = setup("isvc.yaml", KSERVE.replace("    model:\n", "    sklearn:\n"), { preset: "kserve", reference: kserveRef });
    expect((await rejection(noModel.target.apply(v2, noModel.ctx()))).message).toBe(
      "target gitops: acme/deploy:isvc.yaml (kserve): spec.predictor.model is missing; expected an InferenceService with spec.predictor.model (modelFormat, storageUri)",
    );

    const service = setup("compose.yaml", COMPOSE, { preset: "compose", field: "vllm", reference: "x@{{digest}}" });
    expect((await rejection(service.target.apply(v2, service.ctx()))).message).toBe(
      "target gitops: acme/deploy:compose.yaml (compose): services.vllm is missing",
    );

    expect(
      () =>
        new GitopsTarget(
          gitopsTargetSchema.parse({ type: "gitops", path: "a.yaml", preset: "kserve", reference: "oci://x/{{model}}@{{digest}}" }),
        ),
    ).toThrow("target gitops: reference: unknown placeholder {{model}}; expected {{name}}, {{digest}} or {{version}}");
    expect(
      () =>
        new GitopsTarget(
          gitopsTargetSchema.parse({ type: "gitops", path: "a.yaml", preset: "helm", field: "a", reference: "x:{{version}}" }),
        ),
    ).toThrow(/expected \{\{digest\}\} in it/);
    expect(() => renderReference("x@{{digest}", v1)).toThrow("reference: unbalanced {{ }}");
    expect(() => renderReference("x:{{version}}", { name: "m", digest: NEW })).toThrow(
      `reference uses {{version}}, but m@${NEW} has no version tag`,
    );
  });

  it("surfaces an optimistic-concurrency conflict as one clear error", async () => {
    const { repo, target, ctx } = setup("values.yaml", HELM, {
      preset: "helm",
      field: "model.image",
      reference: "ghcr.io/acme/models/{{name}}@{{digest}}",
    });
    repo.beforeWrite = () => repo.branches.get("main")!.set("values.yaml", `${HELM}# someone else\n`);
    const error = await rejection(target.apply(v2, ctx()));
    expect(error).toBeInstanceOf(TargetError);
    expect(error.message).toMatch(
      /^target gitops: acme\/deploy:values\.yaml changed on main while the promotion was writing it \(it was at blob [0-9a-f]{12}\); run the promotion again/,
    );
    expect(error.message).not.toContain("\n");
  });

  it("refuses without a token for the repository", async () => {
    const { target } = setup("values.yaml", HELM, {
      preset: "helm",
      field: "model.image",
      reference: "x@{{digest}}",
      tokenEnv: "DEPLOY_TOKEN",
    });
    const ctx = context({ store: {} as Store, configDir: "/", github: {} });
    expect((await rejection(target.apply(v2, ctx))).message).toBe(
      "target gitops: no GitHub API access for acme/deploy: expected a token in DEPLOY_TOKEN",
    );
  });
});

describe("gitops target: pull requests and rollback", () => {
  it("pull-request mode: writes a promote branch from base and opens one PR naming model, digest and environment", async () => {
    const { repo, target, ctx } = setup("prod/isvc.yaml", KSERVE, { preset: "kserve", reference: kserveRef, mode: "pull-request" });
    const result = await target.apply(v2, ctx());
    const head = `llmops/promote-production-${"b".repeat(12)}`;
    expect(result.summary).toBe("PR acme/deploy#1");
    expect(repo.file("main", "prod/isvc.yaml")).toBe(KSERVE);
    expect(repo.file(head, "prod/isvc.yaml")).toBe(KSERVE.replace(`@${OLD}`, `@${NEW}`));
    expect(repo.pulls).toHaveLength(1);
    const pr = repo.pulls[0]!;
    expect(pr).toMatchObject({ head, base: "main", title: "Promote team/sentiment v2 to production" });
    expect(pr.body).toContain(`| Digest | \`${NEW}\` |`);
    expect(pr.body).toContain("| Environment | production |");
    expect(pr.body).toContain("| Model | `team/sentiment` |");

    // A re-run finds the branch already written and the PR already open.
    const again = await target.apply(v2, ctx());
    expect(again.summary).toBe("PR acme/deploy#1");
    expect(repo.commits).toHaveLength(1);
    expect(repo.pulls).toHaveLength(1);
  });

  it("pull-request mode: an opened PR is pending; once merged (base already at the reference) apply writes nothing and is not pending", async () => {
    const { repo, target, ctx } = setup("isvc.yaml", KSERVE, { preset: "kserve", reference: kserveRef, mode: "pull-request" });
    const proposed = await target.apply(v2, ctx());
    expect(proposed.pending).toBe(true);
    repo.branches.get("main")!.set("isvc.yaml", repo.file(`llmops/promote-production-${"b".repeat(12)}`, "isvc.yaml")!);
    const commits = repo.commits.length;
    const merged = await target.apply(v2, ctx());
    expect(merged.pending).toBeUndefined();
    expect(merged.summary).toBe("acme/deploy:isvc.yaml already at v2 on main");
    expect(repo.commits).toHaveLength(commits);
    expect(repo.pulls).toHaveLength(1);
    // Commit mode is never pending.
    const commit = setup("isvc.yaml", KSERVE, { preset: "kserve", reference: kserveRef });
    expect((await commit.target.apply(v2, commit.ctx())).pending).toBeUndefined();
  });

  it("commit mode: rollback writes the previous reference, rollback to nothing restores the values apply found", async () => {
    const { repo, target, ctx } = setup("isvc.yaml", KSERVE, { preset: "kserve", reference: kserveRef, canaryTrafficPercent: 10 });
    const applied = await target.apply(v2, ctx());
    const back = await target.rollback(v1, applied, ctx());
    expect(back.summary).toMatch(/^commit acme\/deploy@[0-9a-f]{12} \(isvc\.yaml, rollback\)$/);
    expect(repo.file("main", "isvc.yaml")).toBe(KSERVE);
    expect(repo.commits.at(-1)!.message).toMatch(/^Roll back production to team\/sentiment v1/);

    await target.apply(v2, ctx());
    await target.rollback(null, applied, ctx());
    expect(repo.file("main", "isvc.yaml")).toBe(KSERVE);
    // Safe to repeat: nothing left to change, nothing written.
    const commits = repo.commits.length;
    await target.rollback(null, applied, ctx());
    expect(repo.commits).toHaveLength(commits);
  });

  it("pull-request mode: rollback of an unmerged PR writes nothing and says to close it; of a merged one opens a rollback PR", async () => {
    const { repo, target, ctx } = setup("isvc.yaml", KSERVE, { preset: "kserve", reference: kserveRef, mode: "pull-request" });
    const applied = await target.apply(v2, ctx());
    const unmerged = await target.rollback(v1, applied, ctx());
    expect(unmerged.summary).toBe(
      "acme/deploy:isvc.yaml on main already points at team/sentiment v1; pull request #1 is left open: close it (https://github.com/acme/deploy/pull/1)",
    );
    expect(repo.commits).toHaveLength(1);

    // Merge it.
    repo.branches.get("main")!.set("isvc.yaml", repo.file(`llmops/promote-production-${"b".repeat(12)}`, "isvc.yaml")!);
    const merged = await target.rollback(v1, applied, ctx());
    expect(merged.summary).toBe("PR acme/deploy#2 (rollback)");
    expect(repo.pulls[1]).toMatchObject({
      head: `llmops/rollback-production-${"b".repeat(12)}`,
      base: "main",
      title: "Roll back production to team/sentiment v1",
    });
    expect(repo.file(`llmops/rollback-production-${"b".repeat(12)}`, "isvc.yaml")).toBe(KSERVE);
  });
});
