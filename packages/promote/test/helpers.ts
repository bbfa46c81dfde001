import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EVAL_ARTIFACT_TYPE,
  PROMOTION_ARTIFACT_TYPE,
  type RecordingLogger,
  type ResolvedVersion,
  type RunSummary,
  recordingLogger,
  type TargetConfig,
} from "@llmops/core";
import { recordEvalEvidence } from "@llmops/eval";
import { openStore, type Store } from "@llmops/store";
import { afterEach } from "vitest";
import type {
  AlertIssues,
  Approvals,
  DeploymentHandle,
  DeploymentRequest,
  DeploymentState,
  Deployments,
  GitHubSeams,
} from "../src/github-seams.ts";
import type { Target, TargetContext, TargetResult, TargetVersion } from "../src/target.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export const NAME = "acme/sentiment";

export interface Fixture {
  dir: string;
  store: Store;
  logger: RecordingLogger;
  /** Three versions of the model: v1, v2, v3. */
  v1: ResolvedVersion;
  v2: ResolvedVersion;
  v3: ResolvedVersion;
}

/** A temp dir with a layout store holding three versions of acme/sentiment. */
export async function fixture(): Promise<Fixture> {
  const dir = await mkdtemp(join(tmpdir(), "llmops-promote-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const logger = recordingLogger();
  const store = openStore(join(dir, "store"), { logger, cwd: dir, cacheDir: join(dir, "cache") });
  const versions: ResolvedVersion[] = [];
  for (const i of [1, 2, 3]) {
    await mkdir(join(dir, `model${i}`), { recursive: true });
    await writeFile(join(dir, `model${i}`, "weights.bin"), `weights ${i}`);
    const made = await store.version({ path: join(dir, `model${i}`), name: NAME, kind: "model", created: `2026-01-0${i}T00:00:00Z` });
    versions.push(await store.resolve(made.ref));
  }
  return { dir, store, logger, v1: versions[0]!, v2: versions[1]!, v3: versions[2]! };
}

export async function writeConfig(dir: string, yaml: string): Promise<void> {
  await writeFile(join(dir, "llmops.yaml"), yaml);
}

const DAY = 86_400_000;
export const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

/** Records an eval run of `suite` on `version`, as eval's --record does. */
export async function recordRun(
  store: Store,
  version: ResolvedVersion,
  run: { suite: string; passed: boolean; ref?: string; finishedAt?: string; complete?: boolean; model?: string },
): Promise<string> {
  const finishedAt = run.finishedAt ?? daysAgo(1);
  const summary: RunSummary = {
    schemaVersion: 1,
    suite: run.suite,
    suiteDigest: `sha256:${"1".repeat(64)}`,
    model: { ref: `${version.name}@${version.digest}`, digest: run.model ?? version.digest },
    providers: ["replay:x"],
    startedAt: finishedAt,
    finishedAt,
    complete: run.complete ?? true,
    cases: 1,
    errors: 0,
    metrics: [],
    slices: [],
    gates: [],
    passed: run.passed,
    results: "results.jsonl",
    ...(run.ref ? { git: { ref: run.ref, commit: "c0ffee" } } : {}),
  };
  return (await recordEvalEvidence(store, version, summary, [])).digest;
}

/** Promotion records on a version: annotations only (cheap). */
export async function promotionEvents(store: Store, version: ResolvedVersion): Promise<string[]> {
  return (await store.listEvidence(version, PROMOTION_ARTIFACT_TYPE)).map((e) => e.annotations["dev.llmops.event"] ?? "?").reverse();
}

export async function evalEvidence(store: Store, version: ResolvedVersion): Promise<string[]> {
  return (await store.listEvidence(version, EVAL_ARTIFACT_TYPE)).map((e) => e.annotations["dev.llmops.suite"] ?? "?");
}

export async function aliasOf(store: Store, alias: string): Promise<string | null> {
  const tags = await store.transport.listTags(store.repo(NAME));
  return tags.includes(alias) ? (await store.resolve(`${NAME}:${alias}`)).digest : null;
}

/** Fake serving targets: each records apply/rollback calls into one shared log. */
export interface FakeTargets {
  factory: (config: TargetConfig) => Target;
  log: string[];
  /** Per target label (a command target's argv[0]): what apply does instead of succeeding. */
  onApply: Map<string, (version: TargetVersion, context: TargetContext) => Promise<void>>;
}

export function fakeTargets(): FakeTargets {
  const log: string[] = [];
  const onApply = new Map<string, (version: TargetVersion, context: TargetContext) => Promise<void>>();
  const versionLabel = (v: TargetVersion | null) => (v ? (v.version ?? v.digest) : "null");
  const factory = (config: TargetConfig): Target => {
    const name = config.type === "command" ? config.argv[0]! : config.type;
    return {
      type: config.type,
      async apply(version, context): Promise<TargetResult> {
        log.push(`apply ${name} ${versionLabel(version)}`);
        await onApply.get(name)?.(version, context);
        return { type: config.type, summary: `${name} serves ${versionLabel(version)}`, details: { name, digest: version.digest } };
      },
      async rollback(previous, applied): Promise<TargetResult> {
        log.push(`rollback ${name} ${versionLabel(previous)} (applied ${String(applied.details.digest).slice(7, 12)})`);
        return { type: config.type, summary: `${name} back to ${versionLabel(previous)}`, details: { name } };
      },
    };
  };
  return { factory, log, onApply };
}

export interface FakeGitHub extends GitHubSeams {
  calls: string[];
  requests: DeploymentRequest[];
  statuses: { state: DeploymentState; description: string; environmentUrl?: string; logUrl?: string }[];
  raised: { environment: string; title: string; body: string; labels: string[] }[];
  resolved: { environment: string; comment: string }[];
}

export function fakeGitHub(
  options: { approvers?: { login: string; state: string; environments: string[] }[]; defaultBranch?: string } = {},
): FakeGitHub {
  const calls: string[] = [];
  const requests: DeploymentRequest[] = [];
  const statuses: FakeGitHub["statuses"] = [];
  const raised: FakeGitHub["raised"] = [];
  const resolved: FakeGitHub["resolved"] = [];
  const deployments: Deployments = {
    async create(request) {
      calls.push(`deployment create ${request.environment}`);
      requests.push(request);
      return { id: 42, url: "https://api.github.invalid/repos/acme/app/deployments/42" };
    },
    async setStatus(_handle: DeploymentHandle, state, details) {
      calls.push(`deployment ${state}`);
      statuses.push({ state, ...details });
    },
  };
  const approvals: Approvals = { forCurrentRun: async () => options.approvers ?? [] };
  const alerts: AlertIssues = {
    async raise(environment, alert) {
      calls.push(`issue raise ${environment}`);
      raised.push({ environment, ...alert });
      return { url: "https://github.invalid/acme/app/issues/7", number: 7 };
    },
    async resolve(environment, comment) {
      calls.push(`issue resolve ${environment}`);
      resolved.push({ environment, comment });
      return { url: "https://github.invalid/acme/app/issues/7", number: 7 };
    },
  };
  return {
    deployments,
    approvals,
    alerts,
    repository: "acme/app",
    ...(options.defaultBranch ? { defaultBranch: options.defaultBranch } : {}),
    calls,
    requests,
    statuses,
    raised,
    resolved,
  };
}

export interface TestServer {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage["headers"]; body: Buffer }[];
}

/** A real HTTP server on 127.0.0.1 (closed after the test); the handler answers each request. */
export async function startServer(handler: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** Options every promote/rollback call in the tests shares. */
export function common(f: Fixture, targets: FakeTargets, github?: GitHubSeams) {
  return {
    store: f.store,
    cwd: f.dir,
    env: { GITHUB_SHA: "abc123", GITHUB_REF: "refs/heads/main" } as NodeJS.ProcessEnv,
    logger: f.logger,
    targets: targets.factory,
    actor: "octocat",
    runUrl: "https://github.com/acme/app/actions/runs/99",
    notifyRetryDelayMs: 10,
    ...(github ? { github } : {}),
  };
}
