import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CommandTargetConfig } from "@llmops/core";
import { z } from "zod";
import { type Target, type TargetContext, TargetError, type TargetResult, type TargetVersion } from "../target.ts";
import { excerpt, redact } from "./shared.ts";

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
 * plus the job's environment and the target's `env`. `cwd` is relative to llmops.yaml, and so is
 * a program given with a slash (`./deploy.sh`). The program runs in its own process group: on
 * timeout or abort the whole group gets SIGTERM, then SIGKILL after a grace period. A non-zero
 * exit is an error carrying the last lines of stderr, with the values of secret-looking variables
 * (TOKEN, SECRET, PASSWORD, KEY, CREDENTIAL, AUTH in the name) masked.
 */

const TYPE = "command" as const;
const TAIL_LINES = 20;
const LINE_MAX = 400;
const SECRET_NAME = /TOKEN|SECRET|PASSW|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|AUTH/i;

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
    const secrets = Object.entries({ ...context.env, ...this.#config.env })
      .filter(([key, value]) => SECRET_NAME.test(key) && value && value.length >= 4)
      .map(([, value]) => value as string);

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
        ...context.env,
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
      const outcome = await this.#spawn(executable, args, cwd, env, context, secrets, program);
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
    secrets: string[],
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
      const clean = (line: string) => excerpt(redact(line, secrets), LINE_MAX);
      lines(child.stdout!, (line) => context.logger.info(`${program}: ${clean(line)}`));
      lines(child.stderr!, (line) => {
        const safe = clean(line);
        context.logger.info(`${program}: ${safe}`);
        tail.push(safe);
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
