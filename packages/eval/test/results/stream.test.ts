import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CaseResult } from "@llmops/core";
import { afterEach, describe, expect, it } from "vitest";
import { parseResults } from "../../src/results/parse.ts";
import { AtomicFileWriter, readResultsBatches, readResultsFile, resultLine } from "../../src/results/stream.ts";
import { toJsonl } from "../../src/results/write.ts";
import { row } from "../aggregate/rows.ts";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function temp() {
  const dir = await mkdtemp(join(tmpdir(), "llmops-stream-"));
  dirs.push(dir);
  return dir;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe("AtomicFileWriter", () => {
  it("writes through a temp file and renames it into place on finish", async () => {
    const dir = await temp();
    const path = join(dir, "sub", "results.jsonl");
    const writer = await AtomicFileWriter.open(path);
    const rows = [row({ index: 0 }), row({ index: 1, output: "ünïcödé ✓ 🎉" })];
    for (const r of rows) await writer.write(resultLine(r));
    expect(await readdir(join(dir, "sub"))).toEqual([writer.temp.slice(join(dir, "sub").length + 1)]);
    await writer.finish();
    expect(await readdir(join(dir, "sub"))).toEqual(["results.jsonl"]);
    expect(await readFile(path, "utf8")).toBe(toJsonl(rows));
    expect(() => writer.write("late\n")).toThrow("written after it was finished");
  });

  it("abort removes the temp file and leaves the previous file as it was", async () => {
    const dir = await temp();
    const path = join(dir, "results.jsonl");
    await writeFile(path, "previous\n");
    const writer = await AtomicFileWriter.open(path);
    await writer.write("new\n");
    await writer.abort();
    expect(await readdir(dir)).toEqual(["results.jsonl"]);
    expect(await readFile(path, "utf8")).toBe("previous\n");
  });

  it("asks the caller to wait when its buffer is full, and never loses a line", async () => {
    const dir = await temp();
    const path = join(dir, "big.jsonl");
    const writer = await AtomicFileWriter.open(path);
    const line = `${"x".repeat(10_000)}\n`;
    let waited = 0;
    for (let i = 0; i < 200; i++) {
      const wait = writer.write(line);
      if (wait) {
        waited++;
        await wait;
      }
    }
    await writer.finish();
    expect(waited).toBeGreaterThan(0);
    expect((await readFile(path, "utf8")).length).toBe(200 * line.length);
  });
});

describe("readResultsFile", () => {
  it("reads the rows of a file larger than one read, with characters split across reads", async () => {
    const dir = await temp();
    const path = join(dir, "results.jsonl");
    // 64 KiB reads: multi-byte characters land on chunk boundaries somewhere in 3,000 rows.
    const rows: CaseResult[] = Array.from({ length: 3000 }, (_, i) => row({ index: i, output: `${"é🎉".repeat(i % 17)} ${i}` }));
    await writeFile(path, toJsonl(rows));
    expect(await collect(readResultsFile(path))).toEqual(rows);
    expect((await collect(readResultsBatches(path, 1000))).map((b) => b.length)).toEqual([1000, 1000, 1000]);
  });

  it("reports a bad line with the file and line number parseResults gives", async () => {
    const dir = await temp();
    const path = join(dir, "results.jsonl");
    const good = resultLine(row({ index: 0 }));
    for (const bad of ["{not json", JSON.stringify({ id: "x" })]) {
      const text = `${good}\n  \r\n${bad}\n${good}`;
      await writeFile(path, text);
      let expected: unknown;
      try {
        parseResults(text, path);
      } catch (error) {
        expected = (error as Error).message;
      }
      expect(expected).toMatch(`${path}:4: `);
      await expect(collect(readResultsFile(path))).rejects.toThrow(expected as string);
    }
  });

  it("skips blank lines and reads a last line without a newline", async () => {
    const dir = await temp();
    const path = join(dir, "results.jsonl");
    const rows = [row({ index: 0 }), row({ index: 1 })];
    await writeFile(path, `\n${resultLine(rows[0]!)}\r\n\n${JSON.stringify(rows[1])}`);
    expect(await collect(readResultsFile(path))).toEqual(rows);
  });
});
