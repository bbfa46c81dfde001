import { ConfigError } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { JsonlCaseReader, type RawCase } from "../../src/cases/parse.ts";
import { LineSplitter, LineTooLongError } from "../../src/lines.ts";

/** Every line the splitter passes on, with its number, for `bytes` pushed in chunks of `size`. */
function split(bytes: Uint8Array, size: number): [number, string][] {
  const lines: [number, string][] = [];
  const splitter = new LineSplitter((text, line) => lines.push([line, text]));
  // One reused buffer, as the file reader does: the splitter must not keep a chunk.
  const scratch = new Uint8Array(size);
  for (let start = 0; start < bytes.length; start += size) {
    const chunk = bytes.subarray(start, start + size);
    scratch.set(chunk);
    splitter.push(scratch.subarray(0, chunk.length));
    scratch.fill(0x21);
  }
  splitter.end();
  return lines;
}

/** The reference: the whole text split on "\n" (a final empty piece is no line), one "\r" dropped at each end, a leading BOM dropped. */
function reference(text: string): [number, string][] {
  const pieces = text.split("\n");
  if (pieces.at(-1) === "") pieces.pop();
  if (pieces[0]?.charCodeAt(0) === 0xfeff) pieces[0] = pieces[0].slice(1);
  return pieces.map((piece, i) => [i + 1, piece.endsWith("\r") ? piece.slice(0, -1) : piece]);
}

const encode = (text: string) => new TextEncoder().encode(text);

describe("LineSplitter", () => {
  const texts = {
    "LF and CRLF": "a\r\nb\nc\r\n",
    "blank lines": "\n\r\n  \nx\n\n",
    "a final line without newline": "one\ntwo",
    "a final CR without newline": "one\r",
    "a lone CR inside a line": "a\rb\nc\n",
    "a BOM": "\ufeff{}\n{}\n",
    "only a BOM": "\ufeff",
    "a U+FEFF after the first line": "x\n\ufeffy\n",
    "multi-byte characters": "é ü\n漢字\r\n🎉🎉\n",
    empty: "",
  };
  for (const [name, text] of Object.entries(texts)) {
    it(`splits ${name} as the whole text split on \\n does, in chunks of any size`, () => {
      for (const size of [1, 2, 3, 5, 7, 64]) expect(split(encode(text), size), `chunks of ${size}`).toEqual(reference(text));
    });
  }

  it("decodes a CRLF and a 4-byte character split across chunks", () => {
    // "🎉" is F0 9F 8E 89: every chunk boundary falls inside it or between \r and \n.
    expect(split(encode("🎉\r\n🎉"), 1)).toEqual([
      [1, "🎉"],
      [2, "🎉"],
    ]);
  });

  it("keeps a long line assembled from many chunks", () => {
    const long = "x".repeat(200_000);
    expect(split(encode(`a\n${long}\r\nb`), 4096)).toEqual([
      [1, "a"],
      [2, long],
      [3, "b"],
    ]);
  });

  it("refuses a line over its limit, naming the line, and takes one at the limit", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((text) => lines.push(text), { maxLineBytes: 4 });
    splitter.push(encode("abcd\nab"));
    expect(lines).toEqual(["abcd"]);
    const error = (() => {
      try {
        splitter.push(encode("cde\n"));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(LineTooLongError);
    expect(error).toMatchObject({ line: 2, maxBytes: 4 });
  });
  it("with onTooLong, skips a line over its limit, wherever the chunks end, and numbers the rest on", () => {
    const long = "y".repeat(50);
    const text = `ab\n${long}\r\nabcd\n${"z".repeat(5)}\nq`;
    for (const size of [1, 3, 7, 64]) {
      const lines: [number, string][] = [];
      const tooLong: number[] = [];
      const splitter = new LineSplitter((t, line) => lines.push([line, t]), { maxLineBytes: 4, onTooLong: (line) => tooLong.push(line) });
      const bytes = encode(text);
      for (let start = 0; start < bytes.length; start += size) splitter.push(bytes.subarray(start, start + size));
      splitter.end();
      expect(lines, `chunks of ${size}`).toEqual([
        [1, "ab"],
        [3, "abcd"],
        [5, "q"],
      ]);
      expect(tooLong, `chunks of ${size}`).toEqual([2, 4]);
    }
  });
});

describe("JsonlCaseReader", () => {
  function read(text: string, options: { maxLineBytes?: number; chunk?: number } = {}): [number, RawCase][] {
    const rows: [number, RawCase][] = [];
    const reader = new JsonlCaseReader("c.jsonl", (row, line) => rows.push([line, row]), options);
    const bytes = encode(text);
    const size = options.chunk ?? bytes.length;
    for (let start = 0; start < bytes.length; start += size) reader.push(bytes.subarray(start, start + size));
    reader.end();
    return rows;
  }

  function failure(run: () => unknown): ConfigError {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error("expected a ConfigError");
  }

  it("numbers rows by their line, skipping blank ones, with [row] paths", () => {
    const rows = read('\ufeff{"q": 1}\r\n\r\n   \n{"q": 2}\n{"q": 3}', { chunk: 3 });
    expect(rows.map(([line, row]) => [line, row.yamlPath, row.value, row.locate(["q"])])).toEqual([
      [1, "[0]", { q: 1 }, { file: "c.jsonl", line: 1, column: 1 }],
      [4, "[1]", { q: 2 }, { file: "c.jsonl", line: 4, column: 1 }],
      [5, "[2]", { q: 3 }, { file: "c.jsonl", line: 5, column: 1 }],
    ]);
  });

  it("a bad line names its line and row, wherever the chunks end", () => {
    for (const chunk of [1, 4, 1000]) {
      const error = failure(() => read('{"q": 1}\n\n{"q": 2}\r\n{"q": \n{"q": 4}\n', { chunk }));
      expect(error.location).toEqual({ file: "c.jsonl", line: 4, column: 1 });
      expect(error.yamlPath).toBe("[2]");
      expect(error.expected).toBe("expected one JSON object per line (Unexpected end of JSON input)");
    }
  });

  it("a line over the limit is a ConfigError at its line", () => {
    const error = failure(() => read('{"q": 1}\n{"q": "long"}\n', { maxLineBytes: 12, chunk: 5 }));
    expect(error.location).toEqual({ file: "c.jsonl", line: 2, column: 1 });
    expect(error.expected).toBe("expected lines of at most 12 bytes; this one is longer");
  });
});
