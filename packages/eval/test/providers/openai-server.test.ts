import { type Fault, startOpenAIServer } from "@llmops/test/openai-server";
import { describe, expect, it } from "vitest";

const chat = (url: string, content: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content }] }),
  });

describe("local OpenAI-compatible test server", () => {
  it("lists models and answers 404 on unknown routes (recorded as a violation)", async () => {
    const server = await startOpenAIServer({ models: ["a", "b"] });
    try {
      const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toEqual(["a", "b"]);
      expect((await fetch(`${server.url}/nope`, { method: "POST" })).status).toBe(404);
      expect(server.takeViolations().map((v) => v.path)).toEqual(["/v1/nope"]);
    } finally {
      await server.close();
    }
  });

  it("checks the key when one is configured", async () => {
    const server = await startOpenAIServer({ apiKey: "k1" });
    try {
      expect((await chat(server.url, "x")).status).toBe(401);
      expect((await chat(server.url, "x", { authorization: "Bearer k1" })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it("seeded random faults depend on the request and its attempt, not on arrival order", async () => {
    const faults = { random: { probability: 0.5, seed: 42, faults: [{ status: 500 } as Fault] } };
    const prompts = Array.from({ length: 40 }, (_, i) => `prompt ${i}`);
    const statuses = async (order: string[]) => {
      const server = await startOpenAIServer({ faults });
      try {
        const result = new Map<string, number[]>();
        for (const prompt of order) {
          const first = (await chat(server.url, prompt)).status;
          const second = (await chat(server.url, prompt)).status;
          result.set(prompt, [first, second]);
        }
        return prompts.map((p) => result.get(p));
      } finally {
        await server.close();
      }
    };
    const forward = await statuses(prompts);
    const backward = await statuses([...prompts].reverse());
    expect(backward).toEqual(forward);
    const failedFirst = forward.filter((s) => s?.[0] === 500).length;
    // 40 fair draws: all-or-nothing would mean the seed is ignored.
    expect(failedFirst).toBeGreaterThan(0);
    expect(failedFirst).toBeLessThan(40);
    // A retry draws afresh, so some failed first attempts succeed on the second.
    expect(forward.some((s) => s?.[0] === 500 && s[1] === 200)).toBe(true);
  });
});
