import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError, type ModuleProviderConfig } from "@llmops/core";
import { credentialValues, redact } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { structuredResponse } from "./structured.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError } from "./types.ts";

type ModuleFunction = (input: { prompt: string; vars: Record<string, unknown>; messages?: unknown; signal: AbortSignal }) => unknown;

/**
 * A JS/TS module's exported function, called with `{prompt, vars, messages, signal}`; it returns
 * (or resolves to) a string or `{output, tokens?, cost?}`. Node 24 runs `.ts` by type stripping.
 */
export function createModuleProvider(config: ModuleProviderConfig & { id: string }, context: ProviderContext): Provider {
  const path = resolve(context.cwd, config.path);
  let source: Buffer;
  try {
    source = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(
      `provider ${config.id}: module ${config.path} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}`,
    );
  }
  let loaded: Promise<ModuleFunction> | undefined;
  const load = () => {
    // webpackIgnore: the bundled action must load the user's file with Node's own import, not a bundle context.
    loaded ??= import(/* webpackIgnore: true */ pathToFileURL(path).href).then(
      (module: Record<string, unknown>) => {
        const fn = module[config.export];
        if (typeof fn !== "function")
          throw new InputError(`provider ${config.id}: module ${config.path} has no exported function "${config.export}"`);
        return fn as ModuleFunction;
      },
      (error: unknown) => {
        throw new InputError(`provider ${config.id}: cannot import ${config.path}: ${(error as Error).message?.split("\n")[0]}`);
      },
    );
    return loaded;
  };

  return {
    id: config.id,
    // The source digest, so editing the module invalidates cached responses.
    identity: { ...configIdentity(config), source: `sha256:${createHash("sha256").update(source).digest("hex")}` },
    async prepare() {
      await load();
    },
    async call(call: ProviderCall) {
      const fn = await load();
      let result: unknown;
      try {
        result = await fn({
          prompt: call.prompt,
          vars: call.vars,
          ...(call.messages ? { messages: call.messages } : {}),
          signal: call.signal,
        });
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        const message = `module ${config.path} threw: ${error instanceof Error ? error.message : String(error)}`;
        throw new ProviderError(redact(message, credentialValues(context.env)), { retryable: false });
      }
      if (typeof result === "string") return { output: result, tokens: null, cost: null };
      if (result !== null && typeof result === "object")
        return structuredResponse(result as Record<string, unknown>, `module ${config.path}`);
      throw new ProviderError(
        `expected module ${config.path} to return a string or {output}, got ${result === null ? "null" : typeof result}`,
        { retryable: false },
      );
    },
  };
}
