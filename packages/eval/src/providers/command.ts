import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { CommandProviderConfig } from "@llmops/core";
import { credentialValues, redact } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { structuredResponse } from "./structured.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError } from "./types.ts";

const MAX_STDOUT = 16 * 1024 * 1024;
const STDERR_TAIL = 2000;

/**
 * A process per call: `{prompt, vars, messages}` as JSON on stdin; stdout is either a JSON object
 * with `output` (and optional `tokens`, `cost`) or the output as plain text.
 */
export function createCommandProvider(config: CommandProviderConfig & { id: string }, context: ProviderContext): Provider {
  const cwd = resolve(context.cwd, config.cwd ?? ".");
  const [program, ...args] = config.argv as [string, ...string[]];
  return {
    id: config.id,
    // The command's own files and what it loads are out of sight: `--model` or the suite's cacheKey covers them.
    identity: configIdentity(config),
    call(call: ProviderCall) {
      return new Promise((resolvePromise, reject) => {
        if (call.signal.aborted) return reject(new ProviderError(`command ${program} was aborted before it started`, { retryable: true }));
        const child = spawn(program, args, { cwd, env: { ...context.env, ...config.env }, stdio: ["pipe", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        let stdoutBytes = 0;
        let stderr = "";
        let settled = false;
        const settle = (fn: () => void) => {
          if (settled) return;
          settled = true;
          call.signal.removeEventListener("abort", onAbort);
          fn();
        };
        const onAbort = () => {
          child.kill("SIGKILL");
          settle(() => reject(new ProviderError(`command ${program} timed out or was aborted`, { retryable: true })));
        };
        call.signal.addEventListener("abort", onAbort, { once: true });
        child.stdout.on("data", (chunk: Buffer) => {
          stdoutBytes += chunk.length;
          if (stdoutBytes > MAX_STDOUT) {
            child.kill("SIGKILL");
            settle(() => reject(new ProviderError(`command ${program} wrote more than ${MAX_STDOUT} bytes`, { retryable: false })));
          } else stdout.push(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
          stderr = (stderr + chunk.toString("utf8")).slice(-STDERR_TAIL);
        });
        // A program that does not read its stdin closes the pipe early; that is not a failure.
        child.stdin.on("error", () => {});
        child.on("error", (error: NodeJS.ErrnoException) => {
          settle(() => reject(new ProviderError(`cannot run command ${program}: ${error.code ?? error.message}`, { retryable: false })));
        });
        child.on("close", (code, signal) => {
          if (code !== 0) {
            const flat = stderr.replace(/\s+/g, " ").trim();
            const tail = flat.length > 500 ? `…${flat.slice(-500)}` : flat;
            const how = code === null ? `was killed by ${signal}` : `exited with code ${code}`;
            const message = redact(`command ${program} ${how}${tail ? `: ${tail}` : ""}`, credentialValues(context.env));
            return settle(() => reject(new ProviderError(message, { retryable: false })));
          }
          settle(() => {
            try {
              resolvePromise(parseStdout(Buffer.concat(stdout).toString("utf8"), program));
            } catch (error) {
              reject(error);
            }
          });
        });
        child.stdin.end(JSON.stringify({ prompt: call.prompt, vars: call.vars, ...(call.messages ? { messages: call.messages } : {}) }));
      });
    },
  };
}

function parseStdout(text: string, program: string) {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = undefined;
    }
    if (value !== null && typeof value === "object" && "output" in value)
      return structuredResponse(value as Record<string, unknown>, `command ${program}`);
  }
  // Plain text: the output is what was printed, less the final newline most programs add.
  return { output: text.replace(/\r?\n$/, ""), tokens: null, cost: null };
}
