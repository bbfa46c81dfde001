import { retryAfterMs } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { nextLink, parseChallenge } from "../src/registry.ts";

// Header forms from the distribution spec (Link, RFC 8288) and RFC 6750/7235 challenges as GHCR and Docker Hub send them.
describe("registry header parsing", () => {
  it("reads the next page from a Link header", () => {
    expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"')).toBe("/v2/_catalog?last=b&n=2");
    expect(nextLink('<https://r/v2/x/tags/list?n=2&last=v2>; rel=next, <https://r/v2/x/tags/list>; rel="first"')).toBe(
      "https://r/v2/x/tags/list?n=2&last=v2",
    );
    expect(nextLink(null)).toBeUndefined();
    expect(nextLink('</v2/a>; rel="prev"')).toBeUndefined();
  });

  it("parses bearer and basic challenges", () => {
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/r:pull"')).toEqual({
      scheme: "bearer",
      params: { realm: "https://ghcr.io/token", service: "ghcr.io", scope: "repository:o/r:pull" },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
  });

  it("reads Retry-After as seconds or an HTTP date", () => {
    expect(retryAfterMs("3")).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    expect(retryAfterMs(inTwoMinutes)).toBeGreaterThan(100_000);
  });
});
