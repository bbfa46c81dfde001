import type { EmbeddingsProviderConfig, ProviderConfig } from "@llmops/core";

/**
 * Header and environment variable names that carry credentials. Their values stay out of the
 * response cache key, which is written to disk and shared between workflow runs; erring towards
 * "secret" only costs a needless cache hit on a credential change.
 */
const SECRET_NAME = /auth|cookie|key|token|secret|passw|credential|session|signature/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Stands for a credential's value in key material: the name is kept, so adding or removing one still counts. */
export const REDACTED_VALUE = "(secret)";

function scrub(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, isSecretName(name) ? REDACTED_VALUE : value]));
}

/** A URL with credential-named query values and any userinfo password replaced (templates keep their `{{…}}`). */
function scrubUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*):[^/?#@]*@/i, `$1:${REDACTED_VALUE}@`)
    .replace(/([?&])([^=&#]+)=([^&#]*)/g, (all, sep: string, name: string) =>
      isSecretName(decodeURIComponentSafe(name)) ? `${sep}${name}=${REDACTED_VALUE}` : all,
    );
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * What a provider config contributes to the response cache key: all of it (model, base URL,
 * params, headers, argv, pricing — cost is cached too), so a config change never serves an
 * earlier answer. Two things stay out: the `id`, a label that changes no output, and credential
 * values. API keys are never in a config, only their variable names (kept); `{{env.X}}` in http
 * templates is likewise a name; credential-named headers, command env entries and URL query
 * parameters keep their name only, and a password in a URL is dropped.
 */
export function configIdentity(config: ProviderConfig | EmbeddingsProviderConfig): Record<string, unknown> {
  const rest = { ...config };
  if ("id" in rest) delete rest.id;
  const identity: Record<string, unknown> = { ...rest };
  if ("headers" in rest) identity.headers = scrub(rest.headers);
  if ("baseUrl" in rest) identity.baseUrl = scrubUrl(rest.baseUrl);
  if (rest.type === "http") identity.url = scrubUrl(rest.url);
  if (rest.type === "command") identity.env = scrub(rest.env);
  return identity;
}
