// File command rules. The parser cases are the runner's own unit tests
// (actions/runner src/Test/L0/Worker/SetOutputFileCommandL0.cs, commit 258d6c8): content and
// expected values copied from there, joined with "\n" as on Linux (their WriteContent joins with
// Environment.NewLine, writes a BOM and no trailing newline, as these strings do).
import { describe, expect, it } from "vitest";
import { FileCommandError, parseKeyValueFile, parsePathFile } from "../src/harness/file-commands.ts";
import { ActionRunError, runAction } from "../src/harness.ts";
import { actionsRoot, readDump, script } from "./helpers.ts";

const bom = "\uFEFF";
const file = (...lines: string[]) => bom + lines.join("\n");

describe("parseKeyValueFile (runner L0 cases)", () => {
  it("Simple_SkipEmptyLines", () => {
    expect(parseKeyValueFile(file("", "MY_OUTPUT=my value", "", "MY_OUTPUT_2=my second value", ""))).toEqual([
      ["MY_OUTPUT", "my value"],
      ["MY_OUTPUT_2", "my second value"],
    ]);
  });

  it("Simple_EmptyValue and MultipleValues", () => {
    expect(parseKeyValueFile(file("MY_OUTPUT="))).toEqual([["MY_OUTPUT", ""]]);
    expect(parseKeyValueFile(file("MY_OUTPUT=my value", "MY_OUTPUT_2=", "MY_OUTPUT_3=my third value"))).toEqual([
      ["MY_OUTPUT", "my value"],
      ["MY_OUTPUT_2", ""],
      ["MY_OUTPUT_3", "my third value"],
    ]);
  });

  it("Simple_SpecialCharacters: only the first = separates", () => {
    expect(parseKeyValueFile(file("MY_OUTPUT==abc", "MY_OUTPUT_2=def=ghi", "MY_OUTPUT_3=jkl="))).toEqual([
      ["MY_OUTPUT", "=abc"],
      ["MY_OUTPUT_2", "def=ghi"],
      ["MY_OUTPUT_3", "jkl="],
    ]);
  });

  it("Heredoc, Heredoc_EmptyValue, Heredoc_SkipEmptyLines", () => {
    expect(parseKeyValueFile(file("MY_OUTPUT<<EOF", "line one", "line two", "line three", "EOF"))).toEqual([
      ["MY_OUTPUT", "line one\nline two\nline three"],
    ]);
    expect(parseKeyValueFile(file("MY_OUTPUT<<EOF", "EOF"))).toEqual([["MY_OUTPUT", ""]]);
    expect(
      parseKeyValueFile(file("", "MY_OUTPUT<<EOF", "hello", "world", "EOF", "", "MY_OUTPUT_2<<EOF", "HELLO", "AGAIN", "EOF", "")),
    ).toEqual([
      ["MY_OUTPUT", "hello\nworld"],
      ["MY_OUTPUT_2", "HELLO\nAGAIN"],
    ]);
  });

  it("Heredoc_SpecialCharacters", () => {
    const content = file(
      "MY_OUTPUT<<=EOF",
      "hello",
      "one",
      "=EOF",
      "MY_OUTPUT_2<<<EOF",
      "hello",
      "two",
      "<EOF",
      "MY_OUTPUT_3<<EOF",
      "hello",
      "",
      "three",
      "",
      "EOF",
      "MY_OUTPUT_4<<EOF",
      "hello=four",
      "EOF",
      "MY_OUTPUT_5<<EOF",
      " EOF",
      "EOF",
    );
    expect(parseKeyValueFile(content)).toEqual([
      ["MY_OUTPUT", "hello\none"],
      ["MY_OUTPUT_2", "hello\ntwo"],
      ["MY_OUTPUT_3", "hello\n\nthree\n"],
      ["MY_OUTPUT_4", "hello=four"],
      ["MY_OUTPUT_5", " EOF"],
    ]);
  });

  it("Heredoc_MissingNewLine: no line equals the delimiter", () => {
    const content = bom + ["MY_OUTPUT<<EOF", "line one", "line two", "line three", "EOF"].join(" ");
    expect(() => parseKeyValueFile(content)).toThrow(/Matching delimiter not found/);
  });

  it("Heredoc_MissingNewLineMultipleLines: last value line without newline", () => {
    const content = bom + ["MY_OUTPUT<<EOF", "line one\n                    line two\n                    line three", "EOF"].join(" ");
    expect(() => parseKeyValueFile(content)).toThrow(/EOF marker missing new line/);
  });
});

describe("parseKeyValueFile (harness rules beyond the L0 cases)", () => {
  it("rejects an empty name, in both forms", () => {
    expect(() => parseKeyValueFile("=value\n")).toThrow(new FileCommandError("Invalid format '=value'. Name must not be empty"));
    expect(() => parseKeyValueFile("<<EOF\nx\nEOF\n")).toThrow(/Name must not be empty and delimiter must not be empty/);
    expect(() => parseKeyValueFile("NAME<<\nx\n\n")).toThrow(/delimiter must not be empty/);
  });

  it("rejects a line that is neither form", () => {
    expect(() => parseKeyValueFile("just text\n")).toThrow("Invalid format 'just text'");
  });

  it("a delimiter line inside the value ends it early and the rest is rejected (mismatched heredoc)", () => {
    expect(() => parseKeyValueFile("NOTES<<EOF\nfirst\nEOF\nsecond\nEOF\n")).toThrow("Invalid format 'second'");
  });

  it("the earlier separator decides: = before << is a plain value", () => {
    expect(parseKeyValueFile("A=b<<EOF\n")).toEqual([["A", "b<<EOF"]]);
    expect(parseKeyValueFile("A<<X=Y\nv\nX=Y\n")).toEqual([["A", "v"]]);
  });

  it("keeps \\r as Linux runners do: a CRLF file parses, values keep the CR", () => {
    expect(parseKeyValueFile("A=1\r\nB<<EOF\r\nx\r\ny\r\nEOF\r\n")).toEqual([
      ["A", "1\r"],
      ["B", "x\r\ny\r"],
    ]);
  });

  it("GITHUB_PATH lines split on any newline and skip empty ones", () => {
    expect(parsePathFile(`${bom}/a\r\n\n/b\r/c`)).toEqual(["/a", "/b", "/c"]);
  });
});

describe("file commands through a running action", () => {
  it("collects single-line and heredoc outputs of the main step; later writes win", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({
        main: [["append", "OUTPUT", "verdict=pass\nreport<<ghadelimiter_1\n# Title\n\nbody\nghadelimiter_1\nverdict=fail\n"]],
      }),
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ verdict: "fail", report: "# Title\n\nbody" });
  });

  it("fails the run on an empty output name, naming the file command", async () => {
    const run = runAction("main-only", { actionsRoot, env: script({ main: [["append", "OUTPUT", "=orphan\n"]] }) });
    await expect(run).rejects.toThrow(ActionRunError);
    await expect(run).rejects.toThrow(
      "Unable to process file command 'output' successfully. Invalid format '=orphan'. Name must not be empty",
    );
  });

  it("fails the run on a missing closing delimiter and reports it as the runner does", async () => {
    const error = await runAction("main-only", {
      actionsRoot,
      env: script({ main: [["append", "ENV", "MODEL<<EOF\ngpt\n"]] }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionRunError);
    const result = (error as ActionRunError).result;
    expect(result.exitCode).toBe(1);
    expect(result.steps[0]?.conclusion).toBe("failure");
    expect(result.annotations).toEqual([
      { level: "error", message: "Unable to process file command 'env' successfully." },
      { level: "error", message: "Invalid value. Matching delimiter not found 'EOF'" },
    ]);
  });

  it("still runs post (always()) after a step the runner failed for a file command", async () => {
    const error = await runAction("scripted", {
      actionsRoot,
      env: script({ main: [["append", "OUTPUT", "=x\n"]], post: [["append", "STEP_SUMMARY", "cleaned up\n"]] }),
    }).catch((e: unknown) => e);
    const result = (error as ActionRunError).result;
    expect(result.steps.map((s) => s.conclusion)).toEqual(["success", "failure", "success"]);
    expect(result.summary).toBe("cleaned up\n");
    expect(result.exitCode).toBe(1);
  });

  it("fails on GITHUB_STATE errors too", async () => {
    await expect(runAction("main-only", { actionsRoot, env: script({ main: [["append", "STATE", "no separator\n"]] }) })).rejects.toThrow(
      "file command 'state'",
    );
  });

  it("refuses NODE_OPTIONS from GITHUB_ENV with an error annotation, keeps the other variables", async () => {
    const result = await runAction("scripted", {
      actionsRoot,
      env: script({ pre: [["append", "ENV", "NODE_OPTIONS=--require=/evil.js\nSAFE=1\n"]], main: [["dump", "env.json"]] }),
    });
    const { env } = readDump(result.workspace, "env.json");
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(env.SAFE).toBe("1");
    expect(result.annotations).toContainEqual({
      level: "error",
      message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",
    });
  });
});
