import { connect } from "node:net";
import { resolve } from "node:path";
import type { HaproxyRouterConfig } from "@llmops/core";
import { z } from "zod";
import { excerpt } from "../../targets/shared.ts";
import { type Router, type RouterContext, RouterError, type RouterReading } from "../router.ts";

/**
 * The stable and canary slots as two servers of one HAProxy backend, weighted through HAProxy's
 * runtime API (the unix socket of `stats socket <path> level admin`):
 *
 *     set server <backend>/<server> weight <0-256>    empty answer on success, else HAProxy's reason
 *     show servers state <backend>                    "1" then "# be_id be_name srv_id srv_name …" and one row per server
 *     show stat <backend> 4 -1                        CSV of the backend's servers, "# pxname,svname,…,stot,…"
 *
 * A split of p % is the weights `100 − p` (stable) and `p` (canary), so 0 % sends the canary
 * nothing. Of the two weight changes the one that raises a weight goes first: the traffic in
 * between always lies between the old and the new split, and no moment has both weights at 0.
 * Every change is read back (`show servers state`) and a weight that did not take is an error;
 * request counts are the servers' cumulative `stot` (one per HTTP request), found by column name.
 *
 * One command per connection: HAProxy's non-interactive mode answers and closes, so a command
 * needs no prompt parsing and no session state survives a failure. Each command has the config's
 * `timeoutMs` and its answer is capped (MAX_ANSWER_BYTES). Commands are built from words that may
 * not hold whitespace, `;` (HAProxy's command separator) or `#`, whatever the config schema let
 * through.
 */

const TYPE = "haproxy" as const;

/** A backend's servers at a few hundred bytes each: far more than any real backend needs. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** A word of a runtime API command: names, `backend/server`, numbers. */
const WORD = /^[A-Za-z0-9._:/-]+$/;

/** HAProxy's `srv_op_state` for a server in service. */
const SRV_RUNNING = 2;

interface Snapshot {
  stable: HaproxyServerState;
  canary: HaproxyServerState;
  others: HaproxyServerState[];
  requests: { stable: number; canary: number };
}

export interface HaproxyServerState {
  name: string;
  /** The weight set through the runtime API or the config (`srv_uweight`). */
  weight: number;
  /** 0 stopped, 1 starting, 2 running, 3 stopping. */
  opState: number;
  /** Bit field: non-zero when in maintenance or draining. */
  adminState: number;
}

function command(...words: (string | number)[]): string {
  for (const word of words) {
    const text = String(word);
    if (!WORD.test(text))
      throw new RouterError(TYPE, `refusing to send ${JSON.stringify(text)} to the runtime API: not a plain name or number`);
  }
  return words.join(" ");
}

/** Sends one command to the runtime API at `socketPath` and returns HAProxy's whole answer. */
function runtimeCommand(socketPath: string, line: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<string> {
  const where = `runtime API socket ${socketPath}`;
  return new Promise((resolvePromise, reject) => {
    if (options.signal?.aborted) {
      reject(new RouterError(TYPE, `${where}: aborted before "${line}"`, { cause: options.signal.reason }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: RouterError | undefined;
    const socket = connect(socketPath);
    const fail = (error: RouterError) => {
      failure ??= error;
      socket.destroy();
    };
    const onAbort = () => fail(new RouterError(TYPE, `${where}: aborted while waiting for "${line}"`, { cause: options.signal?.reason }));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => fail(new RouterError(TYPE, `${where}: no answer to "${line}" within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    socket.on("connect", () => socket.write(`${line}\n`));
    socket.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES)
        return fail(new RouterError(TYPE, `${where}: the answer to "${line}" exceeds ${MAX_ANSWER_BYTES} bytes`));
      chunks.push(chunk);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => fail(socketError(where, socketPath, error)));
    socket.on("close", () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      if (failure) reject(failure);
      // HAProxy answers every command with at least an empty line; nothing at all is a dropped connection.
      else if (size === 0) reject(new RouterError(TYPE, `${where}: the connection closed without an answer to "${line}"`));
      else resolvePromise(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

function socketError(where: string, socketPath: string, error: NodeJS.ErrnoException): RouterError {
  switch (error.code) {
    case "ENOENT":
      return new RouterError(TYPE, `${where}: no such file; expected HAProxy's \`stats socket ${socketPath} level admin\``, {
        cause: error,
      });
    case "ECONNREFUSED":
      return new RouterError(TYPE, `${where}: connection refused; is HAProxy running? (a stale socket file stays behind when it stops)`, {
        cause: error,
      });
    case "EACCES":
    case "EPERM":
      return new RouterError(
        TYPE,
        `${where}: permission denied; the socket's owner and mode (\`stats socket … mode 660 user … group …\`) must let this user connect`,
        { cause: error },
      );
    case "ENOTSOCK":
      return new RouterError(TYPE, `${where}: not a socket; expected HAProxy's \`stats socket ${socketPath} level admin\``, {
        cause: error,
      });
    default:
      return new RouterError(TYPE, `${where}: ${error.code ?? excerpt(error.message, 200)}`, { cause: error });
  }
}

/** HAProxy's own words when it refused a command, with a hint for the answers that need one. */
function refused(line: string, answer: string, after = ""): RouterError {
  const text = excerpt(answer.trim(), 300);
  const hint = /permission denied/i.test(text) ? "; the socket needs `level admin`" : "";
  return new RouterError(TYPE, `HAProxy refused "${line}": ${text || "(empty answer)"}${hint}${after}`);
}

const intText = z
  .string()
  .regex(/^-?\d+$/)
  .transform(Number);

const serverStateRow = z.object({
  be_name: z.string(),
  srv_name: z.string(),
  srv_op_state: intText,
  srv_admin_state: intText,
  srv_uweight: intText,
});

/**
 * `show servers state <backend>` (format version 1): a version line, a `# `-prefixed header of
 * space-separated column names, one space-separated row per server. Columns are found by name.
 */
function parseServersState(answer: string, line: string): HaproxyServerState[] {
  const lines = answer.split("\n").filter((l) => l.trim() !== "");
  if (lines[0]?.trim() !== "1" || !lines[1]?.startsWith("# ")) {
    if (lines[0] !== undefined && /^\d+$/.test(lines[0].trim()))
      throw new RouterError(TYPE, `"${line}": unsupported format version ${lines[0].trim()} (expected 1)`);
    throw refused(line, answer);
  }
  const header = lines[1].slice(2).trim().split(/\s+/);
  return lines.slice(2).map((row) => {
    const values = row.trim().split(/\s+/);
    const record = Object.fromEntries(header.map((name, i) => [name, values[i]]));
    const parsed = serverStateRow.safeParse(record);
    if (!parsed.success) throw new RouterError(TYPE, `"${line}": unexpected row ${JSON.stringify(excerpt(row, 200))}`);
    const r = parsed.data;
    return { name: r.srv_name, weight: r.srv_uweight, opState: r.srv_op_state, adminState: r.srv_admin_state };
  });
}

/** One CSV line as HAProxy writes it: fields with a comma or a quote are quoted, quotes doubled. */
function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

const statRow = z.object({
  pxname: z.string(),
  svname: z.string(),
  stot: z.string().regex(/^\d+$/).transform(Number),
});

/** `show stat`: a `# `-prefixed CSV header, then one row per proxy or server. Server name → `stot`. */
function parseStatRequests(answer: string, line: string, backend: string): Map<string, number> {
  const lines = answer.split("\n").filter((l) => l.trim() !== "");
  if (!lines[0]?.startsWith("# ")) throw refused(line, answer);
  const header = splitCsv(lines[0].slice(2));
  for (const column of ["pxname", "svname", "stot"])
    if (!header.includes(column)) throw new RouterError(TYPE, `"${line}": the CSV has no ${column} column`);
  const requests = new Map<string, number>();
  for (const row of lines.slice(1)) {
    const values = splitCsv(row);
    const record = Object.fromEntries(header.map((name, i) => [name, values[i]]));
    if (record.pxname !== backend || record.svname === "BACKEND" || record.svname === "FRONTEND") continue;
    const parsed = statRow.safeParse(record);
    if (!parsed.success) throw new RouterError(TYPE, `"${line}": unexpected row ${JSON.stringify(excerpt(row, 200))}`);
    requests.set(parsed.data.svname, parsed.data.stot);
  }
  return requests;
}

/** The percent of traffic `canary` gets from the two weights (0 when both are 0: nothing gets any). */
function percentOf(stable: number, canary: number): number {
  const total = stable + canary;
  return total === 0 ? 0 : Math.round((canary / total) * 100 * 10_000) / 10_000;
}

function inService(server: HaproxyServerState): boolean {
  return server.opState === SRV_RUNNING && server.adminState === 0;
}

/** A Router over an HAProxy backend's two servers; see the module comment. */
export function createHaproxyRouter(config: HaproxyRouterConfig): Router {
  if (config.stable === config.canary)
    throw new RouterError(TYPE, `stable and canary are both "${config.stable}"; expected two servers of backend ${config.backend}`);
  // Checked here as well as by the schema: the names end up in commands.
  command("set", "server", `${config.backend}/${config.stable}`);
  command("set", "server", `${config.backend}/${config.canary}`);

  const run = (context: RouterContext, line: string) => {
    const options: { timeoutMs: number; signal?: AbortSignal } = { timeoutMs: config.timeoutMs };
    if (context.signal) options.signal = context.signal;
    return runtimeCommand(resolve(context.configDir, config.socket), line, options);
  };

  async function slots(context: RouterContext): Promise<Omit<Snapshot, "requests">> {
    const line = command("show", "servers", "state", config.backend);
    const answer = await run(context, line);
    if (/can't find backend/i.test(answer))
      throw new RouterError(TYPE, `no backend "${config.backend}": HAProxy says "${excerpt(answer.trim(), 100)}"`);
    const servers = parseServersState(answer, line);
    const find = (name: string) => {
      const server = servers.find((s) => s.name === name);
      if (!server) {
        const names = servers.map((s) => s.name).join(", ") || "none";
        throw new RouterError(TYPE, `backend ${config.backend} has no server "${name}" (its servers: ${names})`);
      }
      return server;
    };
    return {
      stable: find(config.stable),
      canary: find(config.canary),
      others: servers.filter((s) => s.name !== config.stable && s.name !== config.canary),
    };
  }

  async function requests(context: RouterContext): Promise<{ stable: number; canary: number }> {
    const line = command("show", "stat", config.backend, 4, -1);
    const counts = parseStatRequests(await run(context, line), line, config.backend);
    const count = (name: string) => {
      const value = counts.get(name);
      if (value === undefined) throw new RouterError(TYPE, `"${line}" lists no server "${name}"`);
      return value;
    };
    return { stable: count(config.stable), canary: count(config.canary) };
  }

  async function snapshot(context: RouterContext): Promise<Snapshot> {
    const servers = await slots(context);
    return { ...servers, requests: await requests(context) };
  }

  function toReading(now: Snapshot, context: RouterContext): RouterReading {
    const { stable, canary, others } = now;
    const busyOthers = others.filter((s) => s.weight > 0);
    if (busyOthers.length > 0) {
      // Their traffic is outside the split this router controls; say so rather than hide it.
      context.logger.warn(
        `haproxy: backend ${config.backend} has other servers with weight: ${busyOthers.map((s) => `${s.name} ${s.weight}`).join(", ")}`,
      );
    }
    const idle = stable.weight + canary.weight === 0 ? " (no traffic)" : "";
    return {
      canaryPercent: percentOf(stable.weight, canary.weight),
      requests: now.requests,
      details: {
        backend: config.backend,
        weights: { [config.stable]: stable.weight, [config.canary]: canary.weight },
        servers: { stable, canary },
        ...(others.length > 0 ? { otherServers: others } : {}),
        requests: now.requests,
      },
      summary: `haproxy ${config.backend}: ${config.stable} ${stable.weight} / ${config.canary} ${canary.weight}${idle}`,
    };
  }

  return {
    type: TYPE,
    variantNames: { stable: config.stable, canary: config.canary },

    async setCanaryPercent(canaryPercent, _versions, context) {
      if (!Number.isInteger(canaryPercent) || canaryPercent < 0 || canaryPercent > 100)
        throw new RouterError(TYPE, `cannot send ${canaryPercent} % to the canary: expected a whole percent 0–100`);
      const current = await slots(context);
      const target = { stable: 100 - canaryPercent, canary: canaryPercent };
      const changes = (["stable", "canary"] as const)
        .filter((slot) => current[slot].weight !== target[slot])
        .map((slot) => ({ server: config[slot], from: current[slot].weight, to: target[slot] }))
        // Raising first keeps every moment's split between the old and the new one.
        .sort((a, b) => Number(b.to > b.from) - Number(a.to > a.from));
      const done: string[] = [];
      for (const change of changes) {
        const line = command("set", "server", `${config.backend}/${change.server}`, "weight", change.to);
        const answer = await run(context, line);
        if (answer.trim() !== "") throw refused(line, answer, done.length > 0 ? ` (already done: ${done.join("; ")})` : "");
        done.push(`${change.server} ${change.from} → ${change.to}`);
      }
      const after = await snapshot(context);
      for (const slot of ["stable", "canary"] as const) {
        if (after[slot].weight !== target[slot])
          throw new RouterError(
            TYPE,
            `${config.backend}/${config[slot]} has weight ${after[slot].weight} after setting ${target[slot]}; another client may be changing this backend`,
          );
      }
      if (canaryPercent > 0 && !inService(after.canary)) context.logger.warn(notInService(after.canary));
      if (canaryPercent < 100 && !inService(after.stable)) context.logger.warn(notInService(after.stable));
      const result = toReading(after, context);
      context.logger.info(`${result.summary}${done.length === 0 ? " (unchanged)" : ""}`);
      return result;
    },

    read: async (_versions, context) => toReading(await snapshot(context), context),
  };
}

function notInService(server: HaproxyServerState): string {
  return `haproxy: server ${server.name} is not in service (op state ${server.opState}, admin state ${server.adminState}): it gets no traffic`;
}
