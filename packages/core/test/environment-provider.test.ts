// environmentProvider: the one check of a provider aimed at an environment's live endpoint (the
// smoke eval's, the quality monitor's), with the environment known: what would fail at the first
// call fails at config time, at the provider's line.
import { describe, expect, it } from "vitest";
import { ConfigError, environmentProvider, parseLocatedYaml } from "../src/index.ts";

const YAML = `environments:
  production:
    url: https://prod.example.com
    smoke:
      suite: qa
      provider:
        type: http
        url: "{{environment.url}}/v1/chat"
        headers: { x-environment: "{{environment.name}}", authorization: "Bearer {{env.TOKEN}}" }
        method: POST
`;
const PATH = ["environments", "production", "smoke", "provider"];

function check(provider: unknown, options: { url?: string; env?: Record<string, string> } = {}) {
  const doc = parseLocatedYaml(YAML, "llmops.yaml");
  return environmentProvider(provider, PATH, {
    environment: { name: "production", url: "url" in options ? options.url : "https://prod.example.com" },
    env: options.env ?? {},
    locate: (path) => doc.locate(path),
  });
}

function error(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

const provider = () => ({
  type: "http",
  url: "{{environment.url}}/v1/chat",
  headers: { "x-environment": "{{environment.name}}", authorization: "Bearer {{env.TOKEN}}" },
  method: "POST",
});

describe("environmentProvider", () => {
  it("fills {{environment.*}} and validates; {{env.NAME}} is left for call time", () => {
    expect(check(provider())).toEqual({
      type: "http",
      url: "https://prod.example.com/v1/chat",
      method: "POST",
      headers: { "x-environment": "production", authorization: "Bearer {{env.TOKEN}}" },
    });
  });

  it("refuses {{environment.url}} in an environment without a url, at the provider's line", () => {
    const e = error(() => check(provider(), { url: undefined }));
    expect(e.yamlPath).toBe("environments.production.smoke.provider");
    expect(e.location).toEqual({ file: "llmops.yaml", line: 7, column: 9 });
    expect(e.expected).toBe("uses {{environment.url}}, but environment production has no url; set environments.production.url");
  });

  it("refuses {{env.url}} and {{env.name}} when those process variables are unset: a slip for {{environment.*}}", () => {
    const slipped = { ...provider(), url: "{{env.url}}/v1/chat" };
    const e = error(() => check(slipped));
    expect(e.message).toBe(
      "llmops.yaml:7:9: environments.production.smoke.provider: {{env.url}} is the process environment variable url, which is not set; for the environment's url write {{environment.url}}",
    );
    const named = { ...provider(), headers: { "x-environment": "{{env.name}}" } };
    expect(error(() => check(named)).expected).toMatch(/^\{\{env\.name\}\} is the process environment variable name, which is not set/);
    // Set, it is the user's own variable, rendered at call time.
    const header = { ...provider(), headers: { "x-upstream": "{{env.url}}" } };
    expect(error(() => check(header)).expected).toMatch(/^\{\{env\.url\}\} is the process environment variable url/);
    expect(check(header, { env: { url: "https://elsewhere.example.com" } })).toMatchObject({ headers: { "x-upstream": "{{env.url}}" } });
  });

  it("reports a provider invalid once filled in at the nested key's line", () => {
    const e = error(() => check({ ...provider(), url: "{{environment.name}}/v1/chat" }));
    expect(e.yamlPath).toBe("environments.production.smoke.provider.url");
    expect(e.location?.line).toBe(8);
    expect(e.expected).toMatch(/\(with \{\{environment\.\*\}\} filled in\)$/);
    const method = error(() => check({ ...provider(), method: "DELETE" }));
    expect(method.yamlPath).toBe("environments.production.smoke.provider.method");
    expect(method.location?.line).toBe(10);
  });
});
