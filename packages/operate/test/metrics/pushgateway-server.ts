// A real Prometheus Pushgateway (Debian's `prometheus-pushgateway`) on 127.0.0.1 and a free port,
// in memory (no persistence file), for the tests that push to it and read it back; optionally
// behind basic auth (its web config, with a bcrypt hash made by htpasswd).
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { requireProgram } from "@llmops/test/prerequisites";
import { ended, freePort, readLog } from "@llmops/test/processes";
import { z } from "zod";

export interface TestPushgateway {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, a scrape target. */
  target: string;
  log(): string;
  /** Ends the Pushgateway and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

export interface PushgatewayServerOptions {
  /** Require these credentials on every request (the web config's basic_auth_users). */
  basicAuth?: { username: string; password: string };
}

export async function startPushgateway(options: PushgatewayServerOptions = {}): Promise<TestPushgateway> {
  const binary = requireProgram("prometheus-pushgateway");
  const dir = await mkdtemp(join(tmpdir(), "llmops-pushgateway-"));
  const flags = ["--persistence.file=", "--log.level=info"];
  if (options.basicAuth) {
    const { username, password } = options.basicAuth;
    // `htpasswd -nbB` prints user:<bcrypt>; the password goes as an argument, fine for a test secret.
    const line = execFileSync(requireProgram("htpasswd"), ["-nbB", username, password], { encoding: "utf8" }).trim();
    const hash = line.slice(line.indexOf(":") + 1);
    await writeFile(join(dir, "web.yml"), `basic_auth_users:\n  ${JSON.stringify(username)}: ${JSON.stringify(hash)}\n`);
    flags.push(`--web.config.file=${join(dir, "web.yml")}`);
  }
  // A file, not a pipe: a test blocking its event loop must not stall the server on a full pipe.
  const logPath = join(dir, "pushgateway.log");
  let child: ChildProcess | undefined;
  let port = 0;
  try {
    // Another process may take the free port before the Pushgateway binds it: try again then.
    for (let attempt = 0; attempt < 5 && !child; attempt++) {
      port = await freePort();
      const log = openSync(logPath, "a");
      const started = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`, ...flags], { stdio: ["ignore", log, log] });
      closeSync(log);
      if (await waitReady(`http://127.0.0.1:${port}/-/ready`, started, options.basicAuth)) child = started;
      else await ended(started);
    }
    if (!child) throw new Error(`prometheus-pushgateway did not start: ${readLog(logPath).slice(-1000)}`);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const running = child;
  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    log: () => readLog(logPath),
    async stop() {
      if (stopped) return;
      stopped = true;
      await ended(running);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The Authorization header of `auth`, for requests a test makes itself. */
export function basicAuthorization(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`;
}

async function waitReady(url: string, child: ChildProcess, auth?: { username: string; password: string }): Promise<boolean> {
  const headers: Record<string, string> = auth ? { Authorization: basicAuthorization(auth) } : {};
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  return false;
}

const groupsSchema = z.object({
  status: z.literal("success"),
  data: z.array(z.looseObject({ labels: z.record(z.string(), z.string()) })),
});

/** The grouping keys of the groups the Pushgateway holds, from its own query API (`/api/v1/metrics`). */
export async function pushedGroups(
  gateway: TestPushgateway,
  auth?: { username: string; password: string },
): Promise<Record<string, string>[]> {
  const headers: Record<string, string> = auth ? { Authorization: basicAuthorization(auth) } : {};
  const response = await fetch(`${gateway.url}/api/v1/metrics`, { headers, signal: AbortSignal.timeout(5000) });
  return groupsSchema.parse(await response.json()).data.map((group) => group.labels);
}
