import { describe, expect, it } from "vitest";
import { oneLine } from "../src/index.ts";

describe("oneLine", () => {
  it("puts every line break on one line, a bare carriage return and Unicode separators too", () => {
    expect(oneLine(new Error("a\n  b\r\nc"))).toBe("a b c");
    // GitHub's runner treats a lone \r as a line break: it must not start a forged workflow command.
    expect(oneLine(new Error("Raw\r::warning::forged"))).toBe("Raw ::warning::forged");
    expect(oneLine("x\u2028y\u2029z")).toBe("x y z");
  });

  it("replaces other control characters (escape sequences, NUL, DEL, C1) with spaces", () => {
    expect(oneLine("red\u001b[31m text\u0000\u007f\u009b")).toBe("red [31m text");
    expect(oneLine("tab\tstays")).toBe("tab\tstays");
  });
});
