import { type HttpProviderConfig, InputError } from "@llmops/core";
import {
  formatValue,
  lookupPath,
  MissingVariableError,
  parseTemplate,
  splitPath,
  type TemplatePart,
  TemplateSyntaxError,
} from "../template/template.ts";
import { parseJsonBody, redact, request, snippet, tokenUsage } from "./fetch.ts";
import { configIdentity } from "./identity.ts";
import { retrievedContext } from "./structured.ts";
import { type Provider, type ProviderCall, type ProviderContext, ProviderError } from "./types.ts";
import { stringsIn } from "./variables.ts";

/**
 * Any HTTP endpoint. Strings in `url`, `headers` and `body` are templates over `prompt`,
 * `messages`, the case vars (also as `vars.x`) and `env.NAME` — the last for secrets, which are
 * read at call time and kept out of the identity and of errors.
 */
export function createHttpProvider(config: HttpProviderConfig & { id: string }, context: ProviderContext): Provider {
  const templates: string[] = [config.url, ...Object.values(config.headers), ...stringsIn(config.body)];
  const envNames = new Set<string>();
  for (const template of templates) {
    let parts: TemplatePart[];
    try {
      parts = parseTemplate(template);
    } catch (error) {
      if (error instanceof TemplateSyntaxError)
        throw new InputError(`provider ${config.id}: ${error.message} in "${snippet(template, 80)}"`);
      throw error;
    }
    for (const part of parts)
      if (part.kind === "variable" && part.path[0] === "env" && typeof part.path[1] === "string") envNames.add(part.path[1]);
  }
  for (const name of envNames) envValue(context.env, name, config.id);
  const responsePath = config.responsePath ? splitPath(config.responsePath) : undefined;
  if (config.contextPath && !responsePath)
    throw new InputError(`provider ${config.id}: contextPath needs responsePath (the response is read as JSON only then)`);
  const contextPath = config.contextPath ? splitPath(config.contextPath) : undefined;

  return {
    id: config.id,
    identity: configIdentity(config),
    async call(call: ProviderCall) {
      const env: Record<string, string> = {};
      for (const name of envNames) env[name] = envValue(context.env, name, config.id);
      const secrets = Object.values(env);
      const scope = {
        ...call.vars,
        vars: call.vars,
        prompt: call.prompt,
        messages: call.messages ?? [{ role: "user", content: call.prompt }],
        env,
      };
      const render = (template: string, encode: (text: string) => string = (t) => t) => {
        try {
          return renderWith(parseTemplate(template), scope, encode);
        } catch (error) {
          if (error instanceof MissingVariableError) {
            throw new ProviderError(
              `provider ${config.id}: the request template uses {{${error.variable}}}, which this case does not set`,
              { retryable: false },
            );
          }
          throw error;
        }
      };
      const url = render(config.url, encodeURIComponent);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = render(value);
      let body: string | undefined;
      if (config.body !== undefined && config.method !== "GET") {
        if (typeof config.body === "string") body = render(config.body);
        else {
          body = JSON.stringify(renderJson(config.body, scope, render));
          headers["content-type"] ??= "application/json";
        }
      }
      const response = await request(
        url,
        { method: config.method, headers, ...(body !== undefined ? { body } : {}), signal: call.signal },
        secrets,
      );
      if (!responsePath) return { output: response.text, tokens: null, cost: null };
      const json = parseJsonBody(response, `JSON with ${config.responsePath}`, url, secrets);
      const { found, value } = lookupPath(json, responsePath);
      if (!found || value === null) {
        throw new ProviderError(
          redact(`expected a value at ${config.responsePath} in the response, got: ${snippet(response.text)}`, secrets),
          {
            status: response.status,
            retryable: false,
          },
        );
      }
      const tokens = config.tokensPath
        ? tokenUsage(
            lookupPath(json, splitPath(config.tokensPath.prompt)).value,
            lookupPath(json, splitPath(config.tokensPath.completion)).value,
          )
        : null;
      const retrieved = contextPath ? lookupPath(json, contextPath) : undefined;
      return {
        output: formatValue(value),
        tokens,
        cost: null,
        ...(retrieved?.found && retrieved.value !== null
          ? { retrievedContext: retrievedContext(retrieved.value, `${config.contextPath} in the response`) }
          : {}),
      };
    },
  };
}

function envValue(env: NodeJS.ProcessEnv, name: string, providerId: string): string {
  const value = env[name];
  if (value === undefined || value === "")
    throw new InputError(`provider ${providerId}: environment variable ${name} is not set (used as {{env.${name}}})`);
  return value;
}

function renderWith(parts: TemplatePart[], scope: Record<string, unknown>, encode: (text: string) => string): string {
  let out = "";
  for (const part of parts) {
    if (part.kind === "text") out += part.text;
    else {
      const { found, value } = lookupPath(scope, part.path);
      if (!found) throw new MissingVariableError(part.name);
      out += encode(formatValue(value));
    }
  }
  return out;
}

/** Renders the strings of a JSON body; a string that is exactly one `{{x}}` becomes x's value with its JSON type. */
function renderJson(value: unknown, scope: Record<string, unknown>, render: (template: string) => string): unknown {
  if (typeof value === "string") {
    const parts = parseTemplate(value);
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only?.kind === "variable") {
      const found = lookupPath(scope, only.path);
      if (found.found) return found.value;
    }
    return render(value);
  }
  if (Array.isArray(value)) return value.map((item) => renderJson(item, scope, render));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJson(v, scope, render)]));
  }
  return value;
}
