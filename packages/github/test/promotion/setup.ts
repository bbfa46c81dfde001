// A GitHub test server per test and an Octokit pointed at it, as the promotion code gets one.
import { silentLogger } from "@llmops/core";
import { type GitHubServer, type GitHubServerOptions, startGitHubServer } from "@llmops/test/github-server";
import { afterEach, beforeEach } from "vitest";
import { createOctokit, type GitHubClient } from "../../src/octokit.ts";

export const owner = "octo-org";
export const repo = "octo-repo";

export interface Harness {
  readonly server: GitHubServer;
  readonly octokit: GitHubClient;
}

export function useServer(options: GitHubServerOptions = {}): Harness {
  let server: GitHubServer | undefined;
  let octokit: GitHubClient | undefined;
  beforeEach(async () => {
    server = await startGitHubServer({ owner, repo, ...options });
    octokit = createOctokit({ token: "t0ken", baseUrl: server.url, logger: silentLogger, retries: 0, pace: false });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return {
    get server() {
      if (!server) throw new Error("the server exists only while a test runs");
      return server;
    },
    get octokit() {
      if (!octokit) throw new Error("the client exists only while a test runs");
      return octokit;
    },
  };
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}
