// `@llmops/test/github-server/vitest`: a fresh GitHub test server for every test of a file or describe
// block, closed after it. Unexpected calls fail the test as with any server started in a test.
//
//   const github = useGitHubServer({ owner: "acme", repo: "models" });
//   it("...", async () => { await code({ baseUrl: github.server.url }); expect(github.server.state.comments).toHaveLength(1); });
import { afterEach, beforeEach } from "vitest";
import { type GitHubServer, type GitHubServerOptions, startGitHubServer } from "./index.ts";

export interface GitHubServerHandle {
  /** The current test's server (started in beforeEach). */
  readonly server: GitHubServer;
}

export function useGitHubServer(options: GitHubServerOptions = {}): GitHubServerHandle {
  let current: GitHubServer | undefined;
  beforeEach(async () => {
    current = await startGitHubServer(options);
  });
  afterEach(async () => {
    const server = current;
    current = undefined;
    await server?.close();
  });
  return {
    get server() {
      if (!current) throw new Error("useGitHubServer: the server exists only while a test runs");
      return current;
    },
  };
}
