import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError, providerConfigSchema, silentLogger } from "@llmops/core";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createProvider, ProviderError } from "../../src/providers/index.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llmops-providers-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function provider(config: Record<string, unknown>, cwd = dir, env: NodeJS.ProcessEnv = process.env) {
  return createProvider(providerConfigSchema.parse(config), { env, cwd, logger: silentLogger });
}
const call = (prompt: string, vars: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  prompt,
  vars,
  signal: new AbortController().signal,
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `const input = JSON.parse(require("node:fs").readFileSync(0, "utf8"));\n${body}\n`);
  return path;
}

describe("command provider", () => {
  it("passes {prompt, vars, messages} on stdin and reads {output, tokens, cost} from stdout", async () => {
    await script(
      "json.cjs",
      'process.stdout.write(JSON.stringify({ output: input.prompt.toUpperCase() + "/" + input.vars.x + "/" + input.messages.length, tokens: { prompt: 3, completion: 4 }, cost: 0.01 }));',
    );
    const p = provider({ type: "command", argv: [process.execPath, "json.cjs"] });
    const response = await p.call(call("hi", { x: 7 }, { messages: [{ role: "user", content: "hi" }] }));
    expect(response).toEqual({ output: "HI/7/1", tokens: { prompt: 3, completion: 4, total: 7 }, cost: 0.01 });
  });

  it("takes plain text (less the final newline), including JSON that is not {output}", async () => {
    await script("plain.cjs", 'console.log("plain: " + input.vars.x);');
    expect((await provider({ type: "command", argv: [process.execPath, "plain.cjs"] }).call(call("p", { x: "y" }))).output).toBe(
      "plain: y",
    );
    await script("jsonish.cjs", 'console.log(JSON.stringify({ label: "pos" }));');
    expect((await provider({ type: "command", argv: [process.execPath, "jsonish.cjs"] }).call(call("p"))).output).toBe('{"label":"pos"}');
  });

  it("runs in cwd (relative to the config) with the configured env", async () => {
    await writeFile(join(dir, "env.cjs"), 'console.log(process.cwd() + "|" + process.env.MODEL_MODE);');
    const p = provider({ type: "command", argv: [process.execPath, "../env.cjs"], cwd: "sub", env: { MODEL_MODE: "fast" } });
    await import("node:fs/promises").then((fs) => fs.mkdir(join(dir, "sub")));
    expect((await p.call(call("x"))).output).toBe(`${join(dir, "sub")}|fast`);
  });

  it("a non-zero exit is a non-retryable error with the tail of stderr", async () => {
    await script("fail.cjs", 'process.stderr.write("x".repeat(5000) + " model crashed: CUDA out of memory"); process.exit(3);');
    const error = await failure(provider({ type: "command", argv: [process.execPath, "fail.cjs"] }).call(call("x")));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/exited with code 3: …x+ model crashed: CUDA out of memory$/);
    expect(error.message.length).toBeLessThan(700);
  });

  it("credentials in the environment are redacted from stderr in errors", async () => {
    await script("leak.cjs", 'process.stderr.write("auth failed with " + process.env.MY_API_KEY); process.exit(1);');
    const p = provider({ type: "command", argv: [process.execPath, "leak.cjs"] }, dir, {
      ...process.env,
      MY_API_KEY: "sk-live-SECRET-999",
    });
    const error = await failure(p.call(call("x")));
    expect(error.message).toMatch(/auth failed with \*\*\*$/);
    expect(error.message).not.toContain("sk-live-SECRET-999");
  });

  it("a JSON reply with a non-string output is an error saying what was expected", async () => {
    await script("badout.cjs", "console.log(JSON.stringify({ output: 42 }));");
    const error = await failure(provider({ type: "command", argv: [process.execPath, "badout.cjs"] }).call(call("x")));
    expect(error.message).toMatch(/expected command .* to give output as a string, got number/);
  });

  it("a program that does not exist is a non-retryable error", async () => {
    const error = await failure(provider({ type: "command", argv: ["./no-such-program"] }).call(call("x")));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/cannot run command \.\/no-such-program: ENOENT/);
  });

  it("an abort kills the process and is retryable", async () => {
    await writeFile(join(dir, "hang.cjs"), 'process.stdout.write("started\\n"); setInterval(() => {}, 1000);');
    const controller = new AbortController();
    const pending = provider({ type: "command", argv: [process.execPath, "hang.cjs"] }).call(call("x", {}, { signal: controller.signal }));
    setImmediate(() => controller.abort());
    const error = await failure(pending);
    expect(error.retryable).toBe(true);
  });
});

describe("module provider", () => {
  it("calls the default export of a JS module with {prompt, vars} (sync or async, string or {output})", async () => {
    await writeFile(
      join(dir, "model.mjs"),
      'export default async ({ prompt, vars }) => ({ output: prompt + ":" + vars.n * 2, tokens: { prompt_tokens: 1, completion_tokens: 2 } });\nexport const plain = ({ prompt }) => prompt.length;\nexport const text = ({ prompt }) => "t:" + prompt;',
    );
    const p = provider({ type: "module", path: "model.mjs" });
    await p.prepare?.();
    expect(await p.call(call("q", { n: 21 }))).toEqual({ output: "q:42", tokens: { prompt: 1, completion: 2, total: 3 }, cost: null });
    expect((await provider({ type: "module", path: "model.mjs", export: "text" }).call(call("q"))).output).toBe("t:q");
    const wrong = await failure(provider({ type: "module", path: "model.mjs", export: "plain" }).call(call("q")));
    expect(wrong.message).toMatch(/to return a string or \{output\}, got number/);
  });

  it("imports a TypeScript module (type stripping) by its named export", async () => {
    await writeFile(
      join(dir, "model.ts"),
      "interface In { prompt: string }\nexport function classify(input: In): string {\n  return input.prompt.includes('good') ? 'positive' : 'negative';\n}\n",
    );
    const p = provider({ type: "module", path: "model.ts", export: "classify" });
    expect((await p.call(call("a good day"))).output).toBe("positive");
  });

  it("a thrown error is a non-retryable ProviderError with its message", async () => {
    await writeFile(join(dir, "throws.mjs"), 'export default () => { throw new Error("model not loaded"); };');
    const error = await failure(provider({ type: "module", path: "throws.mjs" }).call(call("x")));
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/throws\.mjs threw: model not loaded/);
  });

  it("credentials in the environment are redacted from a thrown error", async () => {
    await writeFile(join(dir, "leak.mjs"), "export default () => { throw new Error('bad key ' + process.env.SVC_TOKEN); };");
    vi.stubEnv("SVC_TOKEN", "tok-SECRET-12345");
    try {
      const error = await failure(provider({ type: "module", path: "leak.mjs" }, dir, process.env).call(call("x")));
      expect(error.message).toMatch(/bad key \*\*\*$/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("a missing file or export is an InputError before any call", async () => {
    expect(() => provider({ type: "module", path: "nope.mjs" })).toThrow(/module nope\.mjs does not exist/);
    await writeFile(join(dir, "m.mjs"), "export const other = () => 'x';");
    const p = provider({ type: "module", path: "m.mjs" });
    await expect(p.prepare?.()).rejects.toThrow(InputError);
    await expect(p.prepare?.()).rejects.toThrow(/no exported function "default"/);
  });

  it("the identity changes when the module's source changes", async () => {
    await writeFile(join(dir, "m.mjs"), "export default () => 'a';");
    const before = provider({ type: "module", path: "m.mjs" }).identity;
    await writeFile(join(dir, "m.mjs"), "export default () => 'b';");
    const after = provider({ type: "module", path: "m.mjs" }).identity;
    expect(before.source).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(after.source).not.toBe(before.source);
  });
});

describe("replay provider", () => {
  const fixtures = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
  const replay = () => provider({ type: "replay", file: "replay.jsonl" }, fixtures);

  it("answers by case id (and repeat), then by prompt, with recorded tokens and cost", async () => {
    const p = replay();
    expect(await p.call(call("anything", {}, { caseId: "c1" }))).toEqual({
      output: "recorded one",
      tokens: { prompt: 5, completion: 2, total: 7 },
      cost: 0.25,
    });
    expect((await p.call(call("", {}, { caseId: "c2", repeat: 1 }))).output).toBe("c2 second");
    expect((await p.call(call("", {}, { caseId: "c2" }))).output).toBe("c2 first");
    expect((await p.call(call("What is 2+2?", {}, { caseId: "unknown" }))).output).toBe("4");
  });

  it("a recorded error is replayed as a non-retryable error; an unknown case is an error naming it", async () => {
    const p = replay();
    expect((await failure(p.call(call("", {}, { caseId: "bad" })))).message).toMatch(/recorded error: HTTP 500/);
    const missing = await failure(p.call(call("other", {}, { caseId: "zz" })));
    expect(missing.retryable).toBe(false);
    expect(missing.message).toMatch(/no recorded response in replay\.jsonl for case "zz"/);
  });

  it("a missing or malformed recording is an InputError naming file:line", async () => {
    expect(() => provider({ type: "replay", file: "none.jsonl" })).toThrow(/recording none\.jsonl does not exist/);
    await writeFile(join(dir, "r.jsonl"), '{"id": "a", "output": "x"}\n{"id": "b"}\n');
    expect(() => provider({ type: "replay", file: "r.jsonl" })).toThrow(/r\.jsonl:2: expected "output"/);
  });
});
