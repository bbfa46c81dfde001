// The demo's model server: serves the model version a Triton-style model repository says is
// current, the way a real server follows its repository after `llmops promote` updates it.
//   node examples/demo/serve.ts --repository out/model-repository --model sentiment [--port 0]
// prints `listening on http://127.0.0.1:<port>` once ready. POST /v1/predict {"text": "..."}
// answers {"label": "...", "version": N}.
//
// Like many real servers it needs more than the weights: each version directory must carry a
// `serving.json` (the request signature). Offline evaluation loads model.json alone and never
// notices when a packaging change drops it; the smoke eval against this server does.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type NaiveBayesModel, predict } from "./model/naive-bayes.ts";

interface Signature {
  input: string;
}

/** The version `config.pbtxt`'s `version_policy: { specific: { versions: [N] } }` names. */
export function servedVersion(configText: string): number | undefined {
  const specific = /specific\s*:?\s*\{[^}]*versions\s*:\s*\[?\s*(\d+)/.exec(configText);
  return specific ? Number(specific[1]) : undefined;
}

function reply(res: ServerResponse, status: number, body: unknown, name?: string): void {
  // Behind a load balancer, which server answered (a canary rollout's tests count them).
  res.writeHead(status, { "content-type": "application/json", ...(name ? { "x-served-by": name } : {}) });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1 << 20) throw new Error("request body over 1 MiB");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function startModelServer(options: {
  repository: string;
  model: string;
  port?: number;
  /** Sent back in `x-served-by`, for tests that count which server behind a load balancer answered. */
  name?: string;
}): Promise<{ url: string; close(): void }> {
  const modelDir = join(options.repository, options.model);
  const loaded = new Map<number, { model: NaiveBayesModel; signature: Signature }>();
  const load = (version: number) => {
    let entry = loaded.get(version);
    if (!entry) {
      const dir = join(modelDir, String(version));
      const model = JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as NaiveBayesModel;
      let signature: Signature;
      try {
        signature = JSON.parse(readFileSync(join(dir, "serving.json"), "utf8")) as Signature;
      } catch {
        throw new Error(`version ${version} has no serving.json: cannot map requests to model inputs`);
      }
      entry = { model, signature };
      loaded.set(version, entry);
    }
    return entry;
  };
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== "POST" || req.url !== "/v1/predict") return reply(res, 404, { error: "POST /v1/predict" }, options.name);
      try {
        const version = servedVersion(readFileSync(join(modelDir, "config.pbtxt"), "utf8"));
        if (version === undefined) return reply(res, 503, { error: "no version is being served" }, options.name);
        const { model, signature } = load(version);
        const request = JSON.parse(await readBody(req)) as Record<string, unknown>;
        const text = request[signature.input];
        if (typeof text !== "string") return reply(res, 400, { error: `expected a string field ${signature.input}` }, options.name);
        reply(res, 200, { label: predict(model, text).label, version }, options.name);
      } catch (error) {
        reply(res, 500, { error: error instanceof Error ? error.message : String(error) }, options.name);
      }
    })();
  });
  return new Promise((resolve) => {
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { repository: { type: "string" }, model: { type: "string", default: "sentiment" }, port: { type: "string", default: "0" } },
  });
  if (!values.repository) {
    process.stderr.write("serve: --repository DIR is required\n");
    process.exit(2);
  }
  const { url } = await startModelServer({ repository: values.repository, model: values.model, port: Number(values.port) });
  process.stdout.write(`listening on ${url}\n`);
}
