import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { requireProgram } from "./prerequisites.ts";
import { freePort } from "./processes.ts";
import { startTokenServer, type TokenServer } from "./registry/token-server.ts";

export interface TestRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  host: string;
  username?: string;
  password?: string;
  /** The bearer token server, when `auth: "bearer"`. */
  tokenServer?: TokenServer;
  /** The registry's storage directory (for tamper tests). */
  storageDir: string;
  close(): Promise<void>;
}

/**
 * A real CNCF Distribution (`docker-registry serve`, Debian) on 127.0.0.1 and a free port, with
 * filesystem storage in a temp dir: anonymous, htpasswd basic auth, or Docker token auth backed
 * by a local token server.
 */
export async function startRegistry(options: { auth?: "none" | "basic" | "bearer" } = {}): Promise<TestRegistry> {
  const auth = options.auth ?? "none";
  const registryBin = requireProgram("docker-registry");
  const dir = await mkdtemp(join(tmpdir(), "llmops-registry-"));
  const storageDir = join(dir, "storage");
  const username = "llmops";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  let tokenServer: TokenServer | undefined;
  let authYaml = "";
  if (auth === "basic") {
    const line = execFileSync(requireProgram("htpasswd"), ["-Bbn", username, password], { encoding: "utf8" }).trim();
    await writeFile(join(dir, "htpasswd"), `${line}\n`);
    authYaml = `auth:\n  htpasswd:\n    realm: llmops-test\n    path: ${join(dir, "htpasswd")}\n`;
  } else if (auth === "bearer") {
    tokenServer = await startTokenServer(dir, username, password);
    authYaml = `auth:\n  token:\n    realm: ${tokenServer.realm}\n    service: ${tokenServer.service}\n    issuer: ${tokenServer.issuer}\n    rootcertbundle: ${tokenServer.certPath}\n`;
  }
  let child: ChildProcess | undefined;
  let port = 0;
  // A file, not a pipe: a caller blocking its event loop (execFileSync) must not stall the registry on a full pipe.
  const logPath = join(dir, "registry.log");
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const config = [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${storageDir}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${Math.random().toString(36).slice(2)}`,
      authYaml,
    ].join("\n");
    await writeFile(join(dir, "config.yml"), config);
    const log = openSync(logPath, "a");
    const started = spawn(registryBin, ["serve", join(dir, "config.yml")], { stdio: ["ignore", log, log] });
    closeSync(log);
    if (await waitReady(`http://127.0.0.1:${port}/v2/`, started)) child = started;
    else started.kill();
  }
  if (!child) throw new Error(`docker-registry did not start: ${readFileSync(logPath, "utf8").slice(-500)}`);
  const running = child;
  const result: TestRegistry = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    storageDir,
    async close() {
      if (running.exitCode === null) {
        const exited = new Promise((resolve) => running.once("exit", resolve));
        running.kill();
        await exited;
      }
      await tokenServer?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (auth !== "none") {
    result.username = username;
    result.password = password;
  }
  if (tokenServer) result.tokenServer = tokenServer;
  return result;
}

async function waitReady(url: string, child: ChildProcess): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) return false;
    try {
      const r = await fetch(url);
      await r.body?.cancel();
      return true;
    } catch {
      await sleep(25);
    }
  }
  return false;
}

/**
 * The raw manifest skopeo reads at `docker://<host>/<reference>`, with the registry's basic
 * credentials when it has them: an independent reader of what we push.
 */
export function skopeoInspectRaw(registry: TestRegistry, reference: string): unknown {
  const creds = registry.username ? ["--creds", `${registry.username}:${registry.password}`] : [];
  return JSON.parse(skopeo(["inspect", "--raw", "--tls-verify=false", ...creds, `docker://${registry.host}/${reference}`]));
}

/** Runs skopeo (found through the prerequisites list) and returns its stdout. */
export function skopeo(args: string[]): string {
  return execFileSync(requireProgram("skopeo"), args, { encoding: "utf8" });
}
