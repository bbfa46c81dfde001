import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CommandTargetConfig } from "@llmops/core";
import { z } from "zod";
import { type Target, type TargetContext, TargetError, type TargetResult, type TargetVersion } from "../target.ts";
import { excerpt, shortenUrl, stripUrls } from "./shared.ts";

/**
 * A program run with the version in its environment, without a shell:
 *
 *     LLMOPS_ACTION           apply | rollback
 *     LLMOPS_ENVIRONMENT      the environment's name
 *     LLMOPS_MODEL_NAME       the artifact name
 *     LLMOPS_MODEL_DIGEST     the manifest digest (empty for a rollback to nothing)
 *     LLMOPS_MODEL_VERSION    v3, or empty
 *     LLMOPS_MODEL_PATH       the version's files, materialized into a temp directory removed
 *                             afterwards (hard links to a layout store's read-only blobs where
 *                             possible: read them, do not modify them); empty without a version
 *     LLMOPS_PROMOTION_ID     unique per promotion: an idempotency key for whatever it calls
 *
 * plus the job's environment (without the runner's credentials, see WITHHELD) and the target's
 * `env`. `cwd` is relative to llmops.yaml, and so is a program given with a slash (`./deploy.sh`).
 * The program runs in its own process group: on timeout or abort the whole group gets SIGTERM,
 * then SIGKILL after a grace period.
 *
 * A non-zero exit is an error carrying the last lines of stderr. That error is published (the
 * promotion's result, its record, the alert issue, the deployment status, the action's outputs),
 * so the tail is scrubbed first (see scrubber): the values of the environment's credentials are
 * masked, and every URL is cut to its origin (`https://hooks.slack.com/…`), since webhook and
 * deploy-hook URLs carry their secret in the path. The job log gets each line with the values
 * masked but URLs whole: the runner masks the workflow's secrets there itself.
 */

const TYPE = "command" as const;
const TAIL_LINES = 20;
const LINE_MAX = 400;
/** Names whose values are masked in any length from 4 characters. */
const SECRET_NAME = /TOKEN|SECRET|PASSW|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|AUTH/i;
/** Names whose values are masked from 8 characters: URLs and hooks carry credentials in them. */
const CREDENTIAL_NAME = /_URL$|_URI$|HOOK|_SECRET|_TOKEN|_KEY|PASSWORD/i;

/**
 * What of the job's environment the program does not get. The runner gives these to the action
 * (not the workflow's own values) and each is a credential that the program has no use for and
 * could print:
 *
 *     INPUT_*                                   this action's inputs: github-token, store-password, …
 *     ACTIONS_RUNTIME_TOKEN, ACTIONS_RUNTIME_URL    the runner's service token (artifacts, caches)
 *     ACTIONS_ID_TOKEN_REQUEST_TOKEN, _URL      mints OIDC tokens for this job (cloud federation)
 *     ACTIONS_CACHE_URL, ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL
 *                                               the service endpoints that token opens
 *
 * GITHUB_TOKEN is not among them: the runner does not export it; a workflow that sets it in `env:`
 * means the program to have it. So are the target's own `env`, which always reach the program.
 */
const WITHHELD =
  /^(INPUT_.*|ACTIONS_RUNTIME_.*|ACTIONS_ID_TOKEN_REQUEST_.*|ACTIONS_CACHE_URL|ACTIONS_CACHE_SERVICE_V2|ACTIONS_RESULTS_URL)$/i;

export interface CommandOptions {
  /** Between SIGTERM and SIGKILL on timeout (default 5 s). */
  killGraceMs?: number;
}

const detailsSchema = z.looseObject({ name: z.string() });

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  tail: string[];
}

export class CommandTarget implements Target {
  readonly type = TYPE;
  readonly #config: CommandTargetConfig;
  readonly #killGraceMs: number;

  constructor(config: CommandTargetConfig, options: CommandOptions = {}) {
    this.#config = config;
    this.#killGraceMs = options.killGraceMs ?? 5000;
  }

  apply(version: TargetVersion, context: TargetContext): Promise<TargetResult> {
    return this.#run("apply", version, version.name, this.#config.argv, context);
  }

  rollback(previous: TargetVersion | null, applied: TargetResult, context: TargetContext): Promise<TargetResult> {
    const parsed = detailsSchema.safeParse(applied.details);
    const name = previous?.name ?? (parsed.success ? parsed.data.name : "");
    return this.#run("rollback", previous, name, this.#config.rollbackArgv ?? this.#config.argv, context);
  }

  async #run(
    action: "apply" | "rollback",
    version: TargetVersion | null,
    name: string,
    argv: string[],
    context: TargetContext,
  ): Promise<TargetResult> {
    const cwd = resolve(context.configDir, this.#config.cwd ?? ".");
    const isDir = await stat(cwd).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) throw new TargetError(TYPE, `cwd ${cwd} is not a directory`);
    const [program, ...args] = argv as [string, ...string[]];
    const executable = program.includes("/") ? resolve(cwd, program) : program;
    const scrub = scrubber({ ...context.env, ...this.#config.env });

    let temp: string | undefined;
    try {
      let modelPath = "";
      if (version) {
        temp = await mkdtemp(join(tmpdir(), "llmops-command-"));
        modelPath = join(temp, "model");
        try {
          await context.store.materialize(`${version.name}@${version.digest}`, modelPath, { link: true, signal: context.signal });
        } catch (error) {
          throw new TargetError(
            TYPE,
            `${version.name}@${version.digest} could not be materialized for ${program}: ${excerpt(String((error as Error).message ?? error), 400)}`,
            {
              cause: error,
            },
          );
        }
      }
      const env: NodeJS.ProcessEnv = {
        ...jobEnv(context.env),
        ...this.#config.env,
        LLMOPS_ACTION: action,
        LLMOPS_ENVIRONMENT: context.environment,
        LLMOPS_MODEL_NAME: name,
        LLMOPS_MODEL_DIGEST: version?.digest ?? "",
        LLMOPS_MODEL_VERSION: version?.version ?? "",
        LLMOPS_MODEL_PATH: modelPath,
        LLMOPS_PROMOTION_ID: context.promotionId,
      };
      const started = Date.now();
      const outcome = await this.#spawn(executable, args, cwd, env, context, scrub, program);
      const durationMs = Date.now() - started;
      const tail = outcome.tail.length ? `; last lines of stderr:\n  ${outcome.tail.join("\n  ")}` : "";
      if (outcome.timedOut)
        throw new TargetError(TYPE, `${program} did not finish within ${this.#config.timeoutMs} ms; its process group was killed${tail}`);
      if (outcome.aborted) throw new TargetError(TYPE, `${program} was stopped: the promotion was aborted${tail}`);
      if (outcome.code !== 0) {
        const how = outcome.code === null ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
        throw new TargetError(TYPE, `${program} ${how} (${action})${tail}`);
      }
      context.logger.info(`command: ${program} (${action}) finished in ${durationMs} ms`);
      return {
        type: TYPE,
        summary: `command ${program} (${action}, exit 0)`,
        details: { program, action, exitCode: 0, durationMs, name, digest: version?.digest ?? null, version: version?.version ?? null },
      };
    } finally {
      if (temp) await rm(temp, { recursive: true, force: true }).catch(() => {});
    }
  }

  #spawn(
    executable: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
    context: TargetContext,
    scrub: Scrubber,
    program: string,
  ): Promise<Outcome> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(executable, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      const tail: string[] = [];
      let timedOut = false;
      let aborted = false;
      let killTimer: NodeJS.Timeout | undefined;
      const killGroup = (signal: NodeJS.Signals) => {
        try {
          if (child.pid) process.kill(-child.pid, signal);
        } catch {}
      };
      const stop = () => {
        killGroup("SIGTERM");
        killTimer = setTimeout(() => killGroup("SIGKILL"), this.#killGraceMs);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stop();
      }, this.#config.timeoutMs);
      const onAbort = () => {
        aborted = true;
        stop();
      };
      context.signal?.addEventListener("abort", onAbort, { once: true });
      const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
        let buffer = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          buffer += chunk;
          let nl = buffer.indexOf("\n");
          while (nl >= 0) {
            onLine(buffer.slice(0, nl).replace(/\r$/, ""));
            buffer = buffer.slice(nl + 1);
            nl = buffer.indexOf("\n");
          }
          if (buffer.length > 64 * 1024) {
            onLine(buffer);
            buffer = "";
          }
        });
        stream.on("end", () => {
          if (buffer) onLine(buffer);
        });
      };
      lines(child.stdout!, (line) => context.logger.info(`${program}: ${excerpt(scrub.values(line), LINE_MAX)}`));
      lines(child.stderr!, (line) => {
        const masked = scrub.values(line);
        context.logger.info(`${program}: ${excerpt(masked, LINE_MAX)}`);
        tail.push(excerpt(stripUrls(masked), LINE_MAX));
        if (tail.length > TAIL_LINES) tail.shift();
      });
      const finish = () => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        // Whatever of a stopped group ignored SIGTERM does not outlive the target.
        if (timedOut || aborted) killGroup("SIGKILL");
        context.signal?.removeEventListener("abort", onAbort);
      };
      child.on("error", (error: NodeJS.ErrnoException) => {
        finish();
        reject(new TargetError(TYPE, `${program} could not be started (${error.code ?? error.message})`, { cause: error }));
      });
      let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      let linger: NodeJS.Timeout | undefined;
      child.on("exit", (code, signal) => {
        exited = { code, signal };
        // Something the program left running may hold its pipes open: read what is there, then stop waiting.
        linger = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, 1000);
      });
      child.on("close", (code, signal) => {
        clearTimeout(linger);
        finish();
        resolvePromise({ code: exited?.code ?? code, signal: exited?.signal ?? signal, timedOut, aborted, tail });
      });
    });
  }
}

/** The job's environment as the program gets it: without WITHHELD. */
function jobEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !WITHHELD.test(key)));
}

interface Scrubber {
  /** The line with every credential value of the environment replaced. */
  values(line: string): string;
}

/**
 * Masks, in a line of the program's output, the values of the environment (the job's, withheld
 * ones included, and the target's `env`) that may be credentials. The config that put them there
 * is not known here, so it goes by name and by shape:
 *
 * - a URL with credentials, a path, a query or a fragment, whatever its variable's name, becomes
 *   its origin and `/…` (`https://hooks.slack.com/…`): webhook URLs are secret by their path;
 * - a value of a variable named like a secret (SECRET_NAME, 4+ characters) or like a credential
 *   (CREDENTIAL_NAME: *_URL, *HOOK*, *_SECRET*, *_TOKEN*, *_KEY*, *PASSWORD*; 8+ characters)
 *   becomes `***`; a multi-line one (a key file) line by line, since output is read in lines.
 */
function scrubber(env: NodeJS.ProcessEnv): Scrubber {
  const replacements = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    const isUrl = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value);
    if (SECRET_NAME.test(name) && value.length >= 4) replacements.set(value, "***");
    else if (isUrl) {
      // An origin alone (GITHUB_SERVER_URL=https://github.com) holds nothing secret.
      const short = shortenUrl(value);
      if (short !== value) replacements.set(value, short);
      continue;
    } else if (CREDENTIAL_NAME.test(name) && value.length >= 8) replacements.set(value, "***");
    else continue;
    if (value.includes("\n")) {
      for (const part of value.split(/\r?\n/)) if (part.trim().length >= 8 && !replacements.has(part)) replacements.set(part, "***");
    }
  }
  const ordered = [...replacements].sort(([a], [b]) => b.length - a.length);
  return {
    values(line) {
      let out = line;
      for (const [value, replacement] of ordered) if (out.includes(value)) out = out.split(value).join(replacement);
      return out;
    },
  };
}
