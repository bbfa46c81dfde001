/**
 * Runner-faithful harness: runs a built JavaScript action the way the GitHub Actions runner does,
 * so an action's end-to-end test exercises exactly what ships in `actions/<name>/dist/`.
 *
 * ```ts
 * import { leakedSecrets, runAction } from "@llmops/test/harness";
 *
 * const result = await runAction("eval", {
 *   inputs: { config: "llmops.yaml", "fail-on-gate": "true" }, // INPUT_CONFIG, INPUT_FAIL-ON-GATE
 *   event: "pull_request",                                     // payload from test/fixtures/events/
 *   payload: { action: "synchronize", pull_request: { number: 7 } }, // deep-merged over the fixture
 *   env: { GITHUB_API_URL: server.url, GITHUB_TOKEN: "t0ken" },
 *   workspace: dir,                                             // cwd and GITHUB_WORKSPACE
 * });
 * expect(result.exitCode).toBe(0);
 * expect(result.outputs.verdict).toBe("pass");
 * expect(result.annotations).toContainEqual(expect.objectContaining({ level: "warning" }));
 * expect(leakedSecrets(result, ["t0ken"])).toEqual([]);
 * ```
 *
 * What it does, step by step (pre, main, post as action.yml declares; `pre-if`/`post-if`
 * evaluated with GitHub's expression engine; post runs after a failed main, as on the runner):
 * - runs `dist/*.js` with the workspace's Node 24, cwd = workspace, in its own process group;
 * - env: a clean machine env (PATH, HOME, locale) plus RUNNER_* / GITHUB_* / CI as on a hosted
 *   runner, the event's context variables (GITHUB_SHA, GITHUB_REF, GITHUB_HEAD_REF, …; GITHUB_API_URL
 *   and GITHUB_GRAPHQL_URL point at the unroutable {@link UNROUTABLE_API_URL}, never api.github.com,
 *   so an action a test did not point at a local server fails fast instead of calling GitHub), then
 *   `options.env`, then what earlier steps wrote to GITHUB_ENV, `STATE_*` from GITHUB_STATE,
 *   `INPUT_*` (defaults from action.yml; an input action.yml does not declare throws), and fresh
 *   GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE / GITHUB_PATH / GITHUB_STEP_SUMMARY files;
 *   GITHUB_PATH entries are prepended to PATH for later steps;
 * - input defaults like `${{ github.token }}` are evaluated; the job token is `options.env.GITHUB_TOKEN`
 *   or {@link FAKE_JOB_TOKEN}, and is a mask from the start, as the runner's job token is;
 * - parses file commands by the runner's rules and workflow commands (`::error …::`, `::add-mask::`,
 *   `::group::`, `::stop-commands::`, …) from stdout and stderr; legacy `::set-output`/`::save-state`
 *   are ignored with a warning annotation.
 *
 * A run the runner would fail for a malformed command (bad file command, disabled command, bad
 * stop token) rejects with {@link ActionRunError}, whose `result` holds everything collected. A
 * step exceeding `timeoutMs` has its process group killed and rejects with {@link ActionTimeoutError}.
 * Fixture actions for tests can live anywhere: pass `actionsRoot` (default `actions/`).
 * Besides the fields of the shared contract, the result has `log` (what the runner's log would show,
 * masked), `debug`, `steps` (per-step conclusion, exit code, outputs, summary), `errors` and `payload`.
 * `leakedSecrets(result, secrets)` lists where any secret would be visible (empty when none).
 */
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { type ActionMetadata, inputVariable, readActionMetadata, type StepName } from "./harness/action-metadata.ts";
import { evaluateCondition, evaluateTemplate, type JobStatus } from "./harness/conditions.ts";
import { contextVariables, deepMerge, type EventName, loadEventFixture, type Payload, retargetRepository } from "./harness/events.ts";
import {
  addPathEntries,
  blockedEnvNames,
  FileCommandError,
  parseKeyValueFile,
  parsePathFile,
  prependedPath,
} from "./harness/file-commands.ts";
import { maskSecrets } from "./harness/masker.ts";
import { node24 } from "./harness/node.ts";
import { defaultActionsRoot } from "./harness/paths.ts";
import { type Annotation, CommandProcessor, type LogLine } from "./harness/workflow-commands.ts";

export { DEFAULT_REPOSITORY, UNROUTABLE_API_URL } from "./harness/events.ts";
export type { Annotation, LogLine } from "./harness/workflow-commands.ts";

export type RunActionOptions = {
  /** Values for the action's inputs by their action.yml names; others get action.yml defaults. */
  inputs?: Record<string, string>;
  event?: EventName;
  /** Deep-merged over the event's fixture payload; `action` picks the fixture (`pull_request.synchronize`). */
  payload?: Record<string, unknown>;
  /** Extra environment, applied over the runner's variables (e.g. GITHUB_API_URL, GITHUB_TOKEN). */
  env?: Record<string, string>;
  /** GITHUB_WORKSPACE and cwd; default a fresh temp dir. */
  workspace?: string;
  /** Steps to run; default those action.yml declares, in order. */
  steps?: StepName[];
  /** Per step; default 30 s. */
  timeoutMs?: number;
  /** Directory holding `<action>/action.yml`; default the repository's `actions/`. */
  actionsRoot?: string;
  /** "owner/name" the event payload and context variables name; default octo-org/octo-repo. */
  repository?: string;
};

export type StepResult = {
  step: StepName;
  conclusion: "success" | "failure" | "skipped";
  /** The process's exit code; null when skipped or killed by a signal. */
  exitCode: number | null;
  outputs: Record<string, string>;
  /** This step's GITHUB_STEP_SUMMARY content as written. */
  summary: string;
  /** The summary as the runner uploads it: masked with the masks known when the step ended. */
  shownSummary: string;
  /** Reasons the runner would fail this step although the process exited 0 (or besides). */
  errors: string[];
};

export type ActionResult = {
  /** The first failing step's exit code (1 when the runner failed a step that exited 0), else 0. */
  exitCode: number;
  /** The main step's outputs. */
  outputs: Record<string, string>;
  /** Variables written to GITHUB_ENV by the steps. */
  env: Record<string, string>;
  /** Values written to GITHUB_STATE by the steps. */
  state: Record<string, string>;
  /** Directories added through GITHUB_PATH, in PATH order (newest first). */
  path: string[];
  /** Every step's GITHUB_STEP_SUMMARY content, concatenated. */
  summary: string;
  annotations: Annotation[];
  masks: string[];
  /** Raw process output of all steps, concatenated. */
  stdout: string;
  stderr: string;
  /** What the runner's log would show: output lines and markers, masked. */
  log: LogLine[];
  /** `::debug::` messages (shown only with step debug logging on a runner). */
  debug: string[];
  steps: StepResult[];
  /** Everything the runner would have failed the run for (see ActionRunError). */
  errors: string[];
  workspace: string;
  /** The event payload the action saw. */
  payload: Payload;
};

/** The runner would have failed the run for a malformed command; `result` has the full run. */
export class ActionRunError extends Error {
  override name = "ActionRunError";
  readonly result: ActionResult;
  constructor(message: string, result: ActionResult) {
    super(message);
    this.result = result;
  }
}

export class ActionTimeoutError extends Error {
  override name = "ActionTimeoutError";
}

// The machine environment a hosted runner's job would also have; everything else in the test
// process (CI's own GITHUB_*/INPUT_*/RUNNER_*, proxies, vitest's variables) stays out.
const INHERITED = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|TERM|SystemRoot)$/;

let runCounter = 0;

/** `${{ github.token }}` when the test gives no GITHUB_TOKEN; shaped like an installation token. */
export const FAKE_JOB_TOKEN = "ghs_harnessJobToken0000000000000000000000";

// Workspaces the harness created are kept for the test to inspect and removed when the test process ends.
const createdWorkspaces: string[] = [];
process.once("exit", () => {
  for (const dir of createdWorkspaces) rmSync(dir, { recursive: true, force: true });
});

function hostedRunnerEnv(runnerTemp: string, toolCache: string, workspace: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && INHERITED.test(key)) env[key] = value;
  return {
    ...env,
    CI: "true",
    GITHUB_ACTIONS: "true",
    RUNNER_OS: "Linux",
    RUNNER_ARCH: "X64",
    RUNNER_NAME: "GitHub Actions 1",
    RUNNER_ENVIRONMENT: "github-hosted",
    RUNNER_TEMP: runnerTemp,
    RUNNER_TOOL_CACHE: toolCache,
    RUNNER_WORKSPACE: resolve(workspace, ".."),
    GITHUB_WORKSPACE: workspace,
    ImageOS: "ubuntu24",
  };
}

/** Splits a stream into lines as .NET's StreamReader.ReadLine does (\r\n, \n or \r). */
class LineSplitter {
  private buffer = "";
  private readonly decoder = new StringDecoder("utf8");
  private readonly emit: (line: string) => void;
  constructor(emit: (line: string) => void) {
    this.emit = emit;
  }
  write(chunk: Buffer): string {
    const text = this.decoder.write(chunk);
    this.buffer += text;
    this.drain(false);
    return text;
  }
  end(): string {
    const text = this.decoder.end();
    this.buffer += text;
    this.drain(true);
    if (this.buffer !== "") this.emit(this.buffer);
    this.buffer = "";
    return text;
  }
  private drain(final: boolean): void {
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.buffer);
      if (!match) return;
      // A trailing \r may be the first half of \r\n still in transit.
      if (match[0] === "\r" && match.index === this.buffer.length - 1 && !final) return;
      this.emit(this.buffer.slice(0, match.index));
      this.buffer = this.buffer.slice(match.index + match[0].length);
    }
  }
}

type ProcessOutcome = { exitCode: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

function runProcess(
  entry: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
  onLine: (stream: "stdout" | "stderr", line: string) => void,
  label: string,
): Promise<ProcessOutcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node24(), [entry], { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const out = new LineSplitter((line) => onLine("stdout", line));
    const err = new LineSplitter((line) => onLine("stderr", line));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += out.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += err.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${label}: cannot start ${node24()}: ${error.message}`));
    });
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      stdout += out.end();
      stderr += err.end();
      if (timedOut) {
        const tail = stderr.slice(-2000);
        reject(new ActionTimeoutError(`${label} did not finish within ${timeoutMs} ms; stderr tail:\n${tail}`));
        return;
      }
      resolvePromise({ exitCode, signal, stdout, stderr });
    });
  });
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

const SUMMARY_LIMIT = 1024 * 1024;

/** Runs `actions/<action>` (or `<actionsRoot>/<action>`) as the runner would; see the module doc. */
export async function runAction(action: string, options: RunActionOptions = {}): Promise<ActionResult> {
  const actionDir = resolve(options.actionsRoot ?? defaultActionsRoot, action);
  if (!existsSync(join(actionDir, "action.yml"))) throw new Error(`no action.yml in ${actionDir}`);
  const meta = readActionMetadata(actionDir);

  const inputs = options.inputs ?? {};
  for (const name of Object.keys(inputs)) {
    if (!meta.inputs.has(name)) {
      throw new Error(
        `input "${name}" is not declared in ${join(actionDir, "action.yml")} (declared: ${[...meta.inputs.keys()].join(", ") || "none"})`,
      );
    }
  }

  const declared = (["pre", "main", "post"] as const).filter((s) => meta.entries[s]);
  const requested = options.steps ?? declared;
  for (const step of requested) if (!meta.entries[step]) throw new Error(`${actionDir}/action.yml declares no "${step}" step`);
  for (const step of requested) {
    const entry = join(actionDir, meta.entries[step]!);
    if (!existsSync(entry)) throw new Error(`${entry} does not exist: build the action first (node scripts/build-actions.ts ${action})`);
  }

  const runnerTemp = await mkdtemp(join(tmpdir(), "llmops-runner-"));
  let workspace: string;
  if (options.workspace) {
    workspace = resolve(options.workspace);
    await mkdir(workspace, { recursive: true });
  } else {
    workspace = await mkdtemp(join(tmpdir(), "llmops-workspace-"));
    createdWorkspaces.push(workspace);
  }
  const toolCache = join(runnerTemp, "_tool");
  const commandDir = join(runnerTemp, "_runner_file_commands");
  const workflowDir = join(runnerTemp, "_github_workflow");
  await Promise.all([toolCache, commandDir, workflowDir].map((d) => mkdir(d, { recursive: true })));

  const event = options.event ?? "push";
  const override = options.payload ?? {};
  let payload = loadEventFixture(event, typeof override.action === "string" ? override.action : undefined);
  if (options.repository) payload = retargetRepository(payload, options.repository);
  payload = deepMerge(payload, override);
  const eventPath = join(workflowDir, "event.json");
  await writeFile(eventPath, JSON.stringify(payload, null, 2));

  runCounter += 1;
  const ids = { runId: String(1_000_000_000 + process.pid * 1000 + runCounter), runNumber: String(runCounter), runAttempt: "1" };
  const baseEnv: Record<string, string> = {
    ...hostedRunnerEnv(runnerTemp, toolCache, workspace),
    ...contextVariables(event, payload, ids),
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_ACTION: `__${action}`,
    GITHUB_ACTION_REPOSITORY: "",
    GITHUB_ACTION_REF: "",
    ...(options.env ?? {}),
  };

  // The job token: what `${{ github.token }}` gives and, as on the runner, a secret from the start.
  const token = baseEnv.GITHUB_TOKEN ?? FAKE_JOB_TOKEN;
  const jobEnv: Record<string, string> = {};
  const expressionContexts = () => ({
    runner: { os: "Linux", arch: "X64", temp: runnerTemp, tool_cache: toolCache, name: baseEnv.RUNNER_NAME, environment: "github-hosted" },
    github: {
      event_name: event,
      event: payload,
      repository: baseEnv.GITHUB_REPOSITORY,
      repository_owner: baseEnv.GITHUB_REPOSITORY_OWNER,
      ref: baseEnv.GITHUB_REF,
      sha: baseEnv.GITHUB_SHA,
      workspace,
      actor: baseEnv.GITHUB_ACTOR,
      run_id: baseEnv.GITHUB_RUN_ID,
      server_url: baseEnv.GITHUB_SERVER_URL,
      api_url: baseEnv.GITHUB_API_URL,
      token,
    },
    env: { ...baseEnv, ...jobEnv },
  });

  const inputEnv: Record<string, string> = {};
  for (const [name, spec] of meta.inputs) {
    const value = inputs[name] ?? (spec.default !== undefined ? evaluateTemplate(spec.default, expressionContexts()) : "");
    inputEnv[inputVariable(name)] = value;
  }

  const prepend: string[] = [];
  const status: JobStatus = { failed: false, cancelled: false };
  let postRegistered = false;
  const result: ActionResult = {
    exitCode: 0,
    outputs: {},
    env: jobEnv,
    state: {},
    path: [],
    summary: "",
    annotations: [],
    masks: [token],
    stdout: "",
    stderr: "",
    log: [],
    debug: [],
    steps: [],
    errors: [],
    workspace,
    payload,
  };

  try {
    await runSteps();
  } finally {
    await rm(runnerTemp, { recursive: true, force: true });
  }
  result.path = [...prepend].reverse();
  if (result.errors.length > 0) {
    throw new ActionRunError(`the runner would fail ${action}: ${result.errors.join("; ")}`, result);
  }
  return result;

  async function runSteps(): Promise<void> {
    for (const step of requested) {
      let runs: boolean;
      if (step === "main") runs = !status.failed && !status.cancelled;
      else if (step === "pre") runs = evaluateCondition(meta.preIf, status, expressionContexts());
      else runs = (postRegistered || !requested.includes("main")) && evaluateCondition(meta.postIf, status, expressionContexts());
      if (!runs) {
        result.steps.push({ step, conclusion: "skipped", exitCode: null, outputs: {}, summary: "", shownSummary: "", errors: [] });
        continue;
      }
      if (step !== "post") postRegistered = true;
      const stepResult = await runStep(step, meta, {
        baseEnv,
        inputEnv,
        jobEnv: result.env,
        state: result.state,
        prepend,
        commandDir,
        workspace,
        timeoutMs: options.timeoutMs ?? 30_000,
        result,
        label: `${action} ${step}`,
      });
      result.steps.push(stepResult);
      if (step === "main") result.outputs = stepResult.outputs;
      if (stepResult.conclusion === "failure") {
        if (!status.failed) result.exitCode = stepResult.exitCode && stepResult.exitCode !== 0 ? stepResult.exitCode : 1;
        status.failed = true;
      }
    }
  }
}

type StepContext = {
  baseEnv: Record<string, string>;
  inputEnv: Record<string, string>;
  jobEnv: Record<string, string>;
  state: Record<string, string>;
  prepend: string[];
  commandDir: string;
  workspace: string;
  timeoutMs: number;
  result: ActionResult;
  label: string;
};

async function runStep(step: StepName, meta: ActionMetadata, ctx: StepContext): Promise<StepResult> {
  const suffix = `${step}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const files = {
    output: join(ctx.commandDir, `set_output_${suffix}`),
    env: join(ctx.commandDir, `set_env_${suffix}`),
    state: join(ctx.commandDir, `save_state_${suffix}`),
    path: join(ctx.commandDir, `add_path_${suffix}`),
    step_summary: join(ctx.commandDir, `step_summary_${suffix}`),
  };
  await Promise.all(Object.values(files).map((f) => writeFile(f, "")));

  const stateEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.state)) stateEnv[`STATE_${name}`] = value;
  const env: Record<string, string> = {
    ...ctx.baseEnv,
    ...ctx.jobEnv,
    ...stateEnv,
    ...ctx.inputEnv,
    GITHUB_OUTPUT: files.output,
    GITHUB_ENV: files.env,
    GITHUB_STATE: files.state,
    GITHUB_PATH: files.path,
    GITHUB_STEP_SUMMARY: files.step_summary,
  };
  env.PATH = prependedPath(ctx.prepend, env.PATH ?? "");

  const errors: string[] = [];
  const processor = new CommandProcessor({
    workspace: ctx.workspace,
    masks: ctx.result.masks,
    annotations: ctx.result.annotations,
    log: ctx.result.log,
    debug: ctx.result.debug,
    errors,
    env,
    step,
  });
  const entry = join(meta.dir, meta.entries[step]!);
  const outcome = await runProcess(
    entry,
    ctx.workspace,
    env,
    ctx.timeoutMs,
    (stream, line) => processor.processLine(line, stream),
    ctx.label,
  );
  ctx.result.stdout += outcome.stdout;
  ctx.result.stderr += outcome.stderr;

  const fileError = (name: string, error: unknown) => {
    if (!(error instanceof FileCommandError)) throw error;
    const first = `Unable to process file command '${name}' successfully.`;
    // The offending line may hold a value the action masked; the runner masks what it reports.
    const reason = maskSecrets(error.message, ctx.result.masks);
    ctx.result.annotations.push({ level: "error", message: first }, { level: "error", message: reason });
    errors.push(`${first} ${reason}`);
  };
  const outputs: Record<string, string> = {};
  try {
    for (const [name, value] of parseKeyValueFile(await readIfExists(files.output))) outputs[name] = value;
  } catch (error) {
    fileError("output", error);
  }
  try {
    for (const [name, value] of parseKeyValueFile(await readIfExists(files.env))) {
      if (blockedEnvNames.some((blocked) => blocked.toLowerCase() === name.toLowerCase())) {
        ctx.result.annotations.push({
          level: "error",
          message: `Can't store ${name.toUpperCase()} output parameter using '$GITHUB_ENV' command.`,
        });
        continue;
      }
      ctx.jobEnv[name] = value;
    }
  } catch (error) {
    fileError("env", error);
  }
  try {
    for (const [name, value] of parseKeyValueFile(await readIfExists(files.state))) ctx.state[name] = value;
  } catch (error) {
    fileError("state", error);
  }
  addPathEntries(ctx.prepend, parsePathFile(await readIfExists(files.path)));

  let summary = "";
  const size = (await stat(files.step_summary).catch(() => null))?.size ?? 0;
  if (size > SUMMARY_LIMIT) {
    ctx.result.annotations.push({
      level: "error",
      message: `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of ${SUMMARY_LIMIT / 1024}k, got ${Math.floor(size / 1024)}k.`,
    });
  } else if (size > 0) {
    summary = await readFile(files.step_summary, "utf8");
    ctx.result.summary += summary;
  }

  ctx.result.errors.push(...errors.map((e) => `${step}: ${e}`));
  const failed = outcome.exitCode !== 0 || errors.length > 0;
  return {
    step,
    conclusion: failed ? "failure" : "success",
    exitCode: outcome.exitCode,
    outputs,
    summary,
    shownSummary: maskSecrets(summary, ctx.result.masks),
    errors,
  };
}

export type Leak = { where: "log" | "annotations" | "debug" | "outputs" | "summary"; detail: string };

/**
 * Where any of `secrets` would be visible: in the runner's log (stdout/stderr lines printed before
 * the value was masked, or never masked), annotations, debug messages, step summaries as uploaded
 * (masked as the runner does) and outputs (never masked). Empty when nothing leaked. The details
 * name the place, never the secret.
 */
export function leakedSecrets(result: ActionResult, secrets: string[]): Leak[] {
  const leaks: Leak[] = [];
  secrets.forEach((secret, index) => {
    if (!secret) return;
    const label = `secret #${index + 1}`;
    result.log.forEach((line, n) => {
      if (line.text.includes(secret)) leaks.push({ where: "log", detail: `${label} in ${line.step} ${line.stream} line ${n + 1}` });
    });
    result.annotations.forEach((a, n) => {
      if (a.message.includes(secret) || a.title?.includes(secret) || a.file?.includes(secret)) {
        leaks.push({ where: "annotations", detail: `${label} in annotation ${n + 1} (${a.level})` });
      }
    });
    result.debug.forEach((message, n) => {
      if (message.includes(secret)) leaks.push({ where: "debug", detail: `${label} in debug message ${n + 1}` });
    });
    for (const step of result.steps) {
      for (const [name, value] of Object.entries(step.outputs)) {
        if (value.includes(secret)) leaks.push({ where: "outputs", detail: `${label} in ${step.step} output "${name}"` });
      }
      if (step.shownSummary.includes(secret)) leaks.push({ where: "summary", detail: `${label} in ${step.step} step summary` });
    }
  });
  return leaks;
}
