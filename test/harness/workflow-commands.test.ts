// Workflow command rules. Parser and position cases are the runner's own unit tests
// (actions/runner src/Test/L0/Worker/ActionCommandL0.cs and ActionCommandManagerL0.cs, commit
// 258d6c8), expected values copied from there.
import { describe, expect, it } from "vitest";
import { type CommandContext, CommandProcessor, parseCommandLegacy, parseCommandV2 } from "../src/harness/workflow-commands.ts";
import { ActionRunError, leakedSecrets, runAction } from "../src/harness.ts";
import { actionsRoot, script } from "./helpers.ts";

const commands = new Set(["do-something"]);
const props = (entries: [string, string][]) => new Map(entries);

describe("parseCommandV2 (runner L0 CommandParserV2Test)", () => {
  it("parses properties and data", () => {
    expect(parseCommandV2("::do-something k1=v1,::msg", commands)).toEqual({
      command: "do-something",
      properties: props([["k1", "v1"]]),
      data: "msg",
    });
    expect(parseCommandV2("::do-something::", commands)).toEqual({ command: "do-something", properties: props([]), data: "" });
  });

  it("unescapes %2C %0D %0A %3A in properties and %0D %0A in data, leaves ] and ; alone", () => {
    expect(parseCommandV2("::do-something k1=;=%2C=%0D=%0A=]=%3A,::;-%0D-%0A-]-:-,", commands)).toEqual({
      command: "do-something",
      properties: props([["k1", ";=,=\r=\n=]=:"]]),
      data: ";-\r-\n-]-:-,",
    });
  });

  it("undoes %25 last, so an escaped escape stays an escape", () => {
    expect(parseCommandV2("::do-something k1=;=%252C=%250D=%250A=]=%253A,::;-%250D-%250A-]-:-,", commands)).toEqual({
      command: "do-something",
      properties: props([["k1", ";=%2C=%0D=%0A=]=%3A"]]),
      data: ";-%0D-%0A-]-:-,",
    });
  });

  it("drops properties without a value; tolerates leading whitespace; ignores unregistered names", () => {
    expect(parseCommandV2("::do-something k1=,k2=,::", commands)?.properties).toEqual(props([]));
    expect(parseCommandV2("   ::do-something k1=v1::", commands)?.properties).toEqual(props([["k1", "v1"]]));
    expect(parseCommandV2("::do-something-else::x", commands)).toBeNull();
    expect(parseCommandV2("text ::do-something::x", commands)).toBeNull();
  });
});

describe("parseCommandLegacy (runner L0 CommandParserTest)", () => {
  it("parses ##[name k=v;]data anywhere in the line with its own escapes", () => {
    expect(parseCommandLegacy("##[do-something k1=v1;]msg", commands)).toEqual({
      command: "do-something",
      properties: props([["k1", "v1"]]),
      data: "msg",
    });
    expect(parseCommandLegacy("##[do-something k1=%3B=%0D=%0A=%5D;]%3B-%0D-%0A-%5D", commands)).toEqual({
      command: "do-something",
      properties: props([["k1", ";=\r=\n=]"]]),
      data: ";-\r-\n-]",
    });
    expect(parseCommandLegacy("##[do-something k1=%253B=%250D=%250A=%255D;]%253B-%250D-%250A-%255D", commands)).toEqual({
      command: "do-something",
      properties: props([["k1", "%3B=%0D=%0A=%5D"]]),
      data: "%3B-%0D-%0A-%5D",
    });
    expect(parseCommandLegacy(">>>   ##[do-something k1=v1;]msg", commands)?.data).toBe("msg");
  });
});

function processor(overrides: Partial<CommandContext> = {}): CommandProcessor {
  return new CommandProcessor({
    step: "main",
    workspace: "/work/ws",
    masks: [],
    annotations: [],
    log: [],
    debug: [],
    errors: [],
    env: {},
    ...overrides,
  });
}

function annotationOf(line: string) {
  const p = processor();
  p.processLine(line, "stdout");
  return p.context.annotations[0];
}

describe("annotation positions (runner L0 IssueCommandInvalidColumns)", () => {
  it("drops columns when lines differ", () => {
    expect(annotationOf("::warning line=1,endLine=2,col=1,endColumn=2::this is a warning")).toEqual({
      level: "warning",
      message: "this is a warning",
      line: 1,
      endLine: 2,
    });
  });
  it("drops columns without a line", () => {
    expect(annotationOf("::warning col=1,endColumn=2::this is a warning")).toEqual({ level: "warning", message: "this is a warning" });
  });
  it("copies endLine to line and endColumn to col when the start is missing", () => {
    expect(annotationOf("::warning endLine=1::w")).toMatchObject({ line: 1, endLine: 1 });
    expect(annotationOf("::warning line=1,endColumn=2::w")).toMatchObject({ line: 1, col: 2, endColumn: 2 });
    expect(annotationOf("::warning line=,endLine=3::w")).toMatchObject({ line: 3, endLine: 3 });
  });
  it("drops an end before its start", () => {
    const lines = annotationOf("::warning line=4,endLine=3::w");
    expect(lines?.line).toBeUndefined();
    expect(lines?.endLine).toBeUndefined();
    expect(annotationOf("::warning line=1,endLine=1,col=3,endColumn=2::w")).toEqual({
      level: "warning",
      message: "w",
      line: 1,
      endLine: 1,
    });
  });
  it("keeps consistent positions", () => {
    expect(annotationOf("::warning line=1,endLine=1,col=1,endColumn=2::w")).toMatchObject({ line: 1, endLine: 1, col: 1, endColumn: 2 });
    expect(annotationOf("::warning line=1,col=1,file=test.txt::w")).toEqual({
      level: "warning",
      message: "w",
      file: "test.txt",
      line: 1,
      col: 1,
    });
  });
  it("makes a file under the workspace relative", () => {
    expect(annotationOf("::error file=/work/ws/src/a.ts::x")?.file).toBe("src/a.ts");
    expect(annotationOf("::error file=/elsewhere/a.ts::x")?.file).toBe("/elsewhere/a.ts");
  });
});

describe("stop-commands (runner L0 StopProcessCommand*)", () => {
  it("suspends commands until the token, then resumes and masks a long token", () => {
    const p = processor();
    p.processLine("::stop-commands::pause-token-123", "stdout");
    p.processLine("::error::not an annotation", "stdout");
    p.processLine("::pause-token-123::", "stdout");
    p.processLine("::error::an annotation", "stdout");
    expect(p.context.annotations).toEqual([{ level: "error", message: "an annotation" }]);
    expect(p.context.log.map((l) => l.text)).toEqual([
      "::stop-commands::***",
      "::error::not an annotation",
      "::***::",
      "##[error]an annotation",
    ]);
    expect(p.context.masks).toContain("pause-token-123");
  });

  it("rejects a token that is empty, pause-logging or a command, unless allowed by env", () => {
    for (const token of ["", "pause-logging", "stop-commands", "error"]) {
      const p = processor();
      p.processLine(`::stop-commands::${token}`, "stdout");
      expect(p.context.errors).toHaveLength(1);
    }
    const allowed = processor({ env: { ACTIONS_ALLOW_UNSECURE_STOPCOMMAND_TOKENS: "true" } });
    allowed.processLine("::stop-commands::error", "stdout");
    expect(allowed.context.errors).toEqual([]);
  });
});

describe("echo (runner L0 EchoProcessCommand)", () => {
  it("echoes processed commands only while on; rejects other values", () => {
    const p = processor();
    p.processLine("::group::quiet", "stdout");
    p.processLine("::echo::ON", "stdout");
    p.processLine("::group::loud", "stdout");
    p.processLine("::echo::Off   ", "stdout");
    p.processLine("::endgroup::", "stdout");
    // The line that turns echo off is itself echoed: echo is still on when it is processed.
    expect(p.context.log.map((l) => l.text)).toEqual([
      "##[group]quiet",
      "::group::loud",
      "##[group]loud",
      "::echo::Off   ",
      "##[endgroup]",
    ]);
    p.processLine("::echo::invalid", "stdout");
    expect(p.context.errors[0]).toMatch(/Invalid echo command value/);
  });
});

describe("workflow commands through a running action", () => {
  it("turns ::error/::warning/::notice with properties into annotations, escapes undone", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({
        main: [
          ["print", "::error file=src/a%2Cb.ts,line=10,col=2,endColumn=5,title=Gate%3A accuracy::dropped 5%25%0Anext line\n"],
          ["print", "::warning::plain\n"],
          ["eprint", "::notice title=from stderr::on stderr too\n"],
          ["print", "::debug::details\n"],
        ],
      }),
    });
    expect(result.annotations).toEqual([
      { level: "error", message: "dropped 5%\nnext line", file: "src/a,b.ts", line: 10, col: 2, endColumn: 5, title: "Gate: accuracy" },
      { level: "warning", message: "plain" },
      { level: "notice", message: "on stderr too", title: "from stderr" },
    ]);
    expect(result.debug).toEqual(["details"]);
  });

  it("masks ::add-mask:: values in later log lines, annotations and the shown summary, not earlier lines", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({
        main: [
          ["print", "early s3cr3t-value\n"],
          ["print", "::add-mask::s3cr3t-value\n"],
          ["print", "late s3cr3t-value\n"],
          ["print", "::warning::about s3cr3t-value\n"],
          ["append", "STEP_SUMMARY", "token s3cr3t-value\n"],
        ],
      }),
    });
    expect(result.masks).toContain("s3cr3t-value");
    expect(result.log.map((l) => l.text)).toEqual(["early s3cr3t-value", "late ***", "##[warning]about ***"]);
    expect(result.annotations[0]?.message).toBe("about ***");
    expect(result.steps[0]?.shownSummary).toBe("token ***\n");
    expect(leakedSecrets(result, ["s3cr3t-value"])).toEqual([{ where: "log", detail: "secret #1 in main stdout line 1" }]);
  });

  it("ignores commands between ::stop-commands:: and the token", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({ main: [["print", "::stop-commands::resume-here-42\n::error::quoted\n::resume-here-42::\n::error::real\n"]] }),
    });
    expect(result.annotations).toEqual([{ level: "error", message: "real" }]);
  });

  it("splits lines on \\r\\n, \\n and a lone \\r, and processes a last line without a newline", async () => {
    const result = await runAction("main-only", { actionsRoot, env: script({ main: [["print", "a\r\nb\rc\n::warning::last"]] }) });
    expect(result.log.map((l) => l.text)).toEqual(["a", "b", "c", "##[warning]last"]);
    expect(result.stdout).toBe("a\r\nb\rc\n::warning::last");
  });

  it("marks groups in the log", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({ main: [["print", "::group::Scoring\nrow\n::endgroup::\n"]] }),
    });
    expect(result.log.map((l) => l.text)).toEqual(["##[group]Scoring", "row", "##[endgroup]"]);
  });

  it("ignores legacy ::set-output and ::save-state with a warning", async () => {
    const result = await runAction("main-only", {
      actionsRoot,
      env: script({ main: [["print", "::set-output name=verdict::pass\n::save-state name=k::v\n"]] }),
    });
    expect(result.outputs).toEqual({});
    expect(result.state).toEqual({});
    expect(result.annotations.map((a) => a.level)).toEqual(["warning", "warning"]);
    expect(result.annotations[0]?.message).toMatch(/The `set-output` command is deprecated/);
  });

  it("fails the run on the disabled ::set-env command as the runner does", async () => {
    const error = await runAction("main-only", { actionsRoot, env: script({ main: [["print", "::set-env name=A::b\n"]] }) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ActionRunError);
    expect((error as ActionRunError).result.errors[0]).toMatch(
      /^main: Unable to process command '::set-env name=A::b' successfully\. The `set-env` command is disabled/,
    );
  });
});
