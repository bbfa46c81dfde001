import { InputError, retryAfterMs, type TokenUsage } from "@llmops/core";
import { HttpClientError, type HttpRequestInit, type HttpResponse, httpSend, MAX_RESPONSE_BYTES } from "./http-client.ts";
import { ProviderError } from "./types.ts";

/** Statuses worth retrying: request timeout, conflict, rate limit, server errors (as the OpenAI SDK does). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * How long the server asks us to wait: `retry-after-ms` (OpenAI) first, then `Retry-After` as
 * seconds or an HTTP date. Undefined when absent or unparseable.
 */
export function parseRetryAfter(headers: Headers | HttpResponse["headers"], now: number = Date.now()): number | undefined {
  const get = (name: string): string | null => {
    if (headers instanceof Headers) return headers.get(name);
    const value = headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  };
  const ms = get("retry-after-ms");
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.round(Number(ms));
  return retryAfterMs(get("retry-after"), now);
}

/** Replaces every secret in a text, so a server echoing a key cannot leak it through an error. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join("***");
  return out;
}

/**
 * Values of environment variables that look like credentials (`*_KEY`, `*TOKEN*`, `*SECRET*`,
 * `*PASSWORD*`): a command or module given the environment could echo them into an error.
 */
export function credentialValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && value.length >= 8 && /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i.test(name))
    .map(([, value]) => value as string);
}

/** `https://host/path` without query or credentials: safe to put in messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid url)";
  }
}

/** Reads an API key at call time. Errors name the variable, never a value. */
export function readKey(env: NodeJS.ProcessEnv, name: string, providerId: string): string {
  const value = env[name];
  if (value === undefined || value === "")
    throw new InputError(`provider ${providerId}: environment variable ${name} is not set (it should hold the API key)`);
  return value;
}

export type JsonResponse = HttpResponse;

/**
 * One HTTP request with the failures classified: network errors and aborts are retryable
 * ProviderErrors; HTTP errors are ProviderErrors with status and Retry-After.
 */
export async function request(url: string, init: HttpRequestInit, secrets: readonly (string | undefined)[]): Promise<JsonResponse> {
  const where = safeUrl(url);
  let response: HttpResponse;
  try {
    response = await httpSend(url, init);
  } catch (error) {
    if (init.signal.aborted) throw new ProviderError(`request to ${where} timed out or was aborted`, { retryable: true });
    if (error instanceof HttpClientError && error.code === "ERR_BODY_READER") {
      const cause = error.cause;
      if (cause instanceof ProviderError) throw cause;
      throw new ProviderError(redact(`cannot read the response from ${where}: ${(cause as Error)?.message ?? cause}`, secrets), {
        retryable: false,
      });
    }
    if (error instanceof HttpClientError && error.code === "ERR_BODY_TOO_LARGE")
      throw new ProviderError(`the response from ${where} is larger than the limit of ${MAX_RESPONSE_BYTES} bytes`, { retryable: false });
    const reason = (error as { code?: string }).code ?? (error as Error).message;
    throw new ProviderError(redact(`request to ${where} failed: ${reason}`, secrets), { retryable: true });
  }
  const text = response.text;
  if (response.status >= 400) {
    const retryAfterMs = parseRetryAfter(response.headers);
    throw new ProviderError(redact(`HTTP ${response.status} from ${where}: ${errorDetail(text)}`, secrets), {
      status: response.status,
      retryable: isRetryableStatus(response.status),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return response;
}

/** The API's own error message when the body has one (`{error: {message}}`), else the body's start. */
function errorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    if (typeof message === "string" && message) return snippet(message);
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return snippet(text) || "(empty body)";
}

export function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Parses a success body as JSON; anything else is a non-retryable ProviderError saying what was expected. */
export function parseJsonBody(response: JsonResponse, expected: string, where: string, secrets: readonly (string | undefined)[]): unknown {
  try {
    return JSON.parse(response.text);
  } catch {
    throw new ProviderError(
      redact(`expected ${expected} from ${safeUrl(where)}, got a body that is not JSON: ${snippet(response.text) || "(empty)"}`, secrets),
      {
        status: response.status,
        retryable: false,
      },
    );
  }
}

export function costOf(tokens: TokenUsage | null, pricing: { prompt: number; completion: number } | undefined): number | null {
  if (!tokens || !pricing) return null;
  return (tokens.prompt * pricing.prompt + tokens.completion * pricing.completion) / 1_000_000;
}

/** Token counts when both are non-negative integers; null otherwise. */
export function tokenUsage(prompt: unknown, completion: unknown, total?: unknown): TokenUsage | null {
  const ok = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 0;
  if (!ok(prompt) || !ok(completion)) return null;
  return { prompt, completion, total: ok(total) ? total : prompt + completion };
}

/** `Content-Type` and `Accept` plus the configured headers; the configured ones win. */
export function jsonHeaders(extra: Record<string, string>, accept = "application/json"): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept };
  // Lower-cased so a configured `Content-Type` replaces ours instead of being sent twice.
  for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
  return headers;
}
