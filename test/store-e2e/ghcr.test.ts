import { describe, expect, it } from "vitest";
import { chooseActionStore, ghcrStoreSpec } from "../../packages/github/src/ghcr.ts";

describe("store choice in actions", () => {
  const actions = { GITHUB_ACTIONS: "true", GITHUB_REPOSITORY: "Octo-Org/Octo-Repo", GITHUB_ACTOR: "octocat" };

  it("defaults to GHCR under the lower-cased repository with the job token", () => {
    expect(ghcrStoreSpec("Octo-Org/Octo-Repo")).toBe("oci://ghcr.io/octo-org/octo-repo");
    expect(chooseActionStore({ token: "ghs_x", env: actions })).toEqual({
      spec: "oci://ghcr.io/octo-org/octo-repo",
      auth: { token: "ghs_x", username: "octocat" },
      source: "ghcr",
    });
  });

  it("prefers the input, then the config, and uses the local layout outside Actions", () => {
    expect(chooseActionStore({ input: "oci://r.example/x", configured: "store", token: "t", env: actions }).source).toBe("input");
    expect(chooseActionStore({ configured: "./store", token: "t", env: actions })).toEqual({
      spec: "./store",
      auth: undefined,
      source: "config",
    });
    expect(chooseActionStore({ env: {} })).toEqual({ spec: ".llmops/store", auth: undefined, source: "default" });
  });

  it("takes username + token for other registries, else the LLMOPS_REGISTRY_* environment", () => {
    expect(chooseActionStore({ input: "oci://r.example/x", username: "u", token: "p", env: {} }).auth).toEqual({
      username: "u",
      password: "p",
    });
    expect(chooseActionStore({ input: "oci://r.example/x", token: "ghs_job", env: { LLMOPS_REGISTRY_TOKEN: "rt" } }).auth).toEqual({
      token: "rt",
      username: undefined,
    });
    expect(chooseActionStore({ input: "oci://r.example/x", token: "ghs_job", env: {} }).auth).toBeUndefined();
  });

  it("never offers the job token to a registry other than ghcr.io, even when a username is set", () => {
    // The `token` input defaults to the job's GITHUB_TOKEN, an installation token (`ghs_` prefix,
    // GitHub's token-format announcement, 2021): a username alone must not make it another registry's password.
    const other = "oci://registry.example.com/team";
    expect(chooseActionStore({ input: other, username: "me", token: "ghs_jobToken", env: actions }).auth).toBeUndefined();
    expect(
      chooseActionStore({ input: other, username: "me", token: "job-token", env: { ...actions, GITHUB_TOKEN: "job-token" } }).auth,
    ).toBeUndefined();
    expect(chooseActionStore({ input: "oci://ghcr.io.example.com/x", token: "ghs_jobToken", env: actions }).auth).toBeUndefined();
    expect(
      chooseActionStore({ input: other, username: "me", token: "ghs_jobToken", env: { ...actions, LLMOPS_REGISTRY_TOKEN: "rt" } }).auth,
    ).toEqual({ token: "rt", username: undefined });
    // An explicit password for that registry still works, and GHCR still gets the job token with a username.
    expect(chooseActionStore({ input: other, username: "me", token: "registry-password", env: actions }).auth).toEqual({
      username: "me",
      password: "registry-password",
    });
    expect(chooseActionStore({ input: "oci://ghcr.io/o/r", username: "me", token: "ghs_jobToken", env: actions }).auth).toEqual({
      username: "me",
      password: "ghs_jobToken",
    });
  });
});
