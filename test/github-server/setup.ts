// What every test of the GitHub server starts from: a server and an octokit client pointed at it.
import { startGitHubServer } from "@llmops/test/github-server";
import { Octokit } from "@octokit/rest";

export type Server = Awaited<ReturnType<typeof startGitHubServer>>;
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };
export const repo = { owner: "octo-org", repo: "octo-repo" };

export async function startWithOctokit(options?: Parameters<typeof startGitHubServer>[0]): Promise<{ server: Server; octokit: Octokit }> {
  const server = await startGitHubServer(options);
  return { server, octokit: new Octokit({ auth: "test-token", baseUrl: server.url, log: quiet }) };
}

/** What came back from a request that must fail: octokit throws a RequestError carrying it. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; message: string; data: Record<string, unknown>; headers: Record<string, string> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; response?: { data: Record<string, unknown>; headers: Record<string, string> } };
    const data = e.response?.data ?? {};
    return { status: e.status, message: data.message as string, data, headers: e.response?.headers ?? {} };
  }
  throw new Error("expected the request to fail");
}
