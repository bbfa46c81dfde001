import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress, formatAmount } from "../../packages/cli/src/progress.ts";

function capture() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d: Buffer) => {
    text += d.toString();
  });
  return { stream, text: () => text };
}

describe("progress", () => {
  it("prints one line per 10% step in CI and a final line", () => {
    const out = capture();
    const p = createProgress({ label: "push", total: 1000, unit: "items", interactive: false, stream: out.stream });
    for (let i = 0; i < 100; i++) p.tick(10);
    p.done();
    const lines = out.text().trim().split("\n");
    expect(lines[0]).toBe("push: 1% (10/1000)");
    expect(lines.at(-1)).toBe("push: 100% (1000/1000)");
    expect(lines.length).toBe(11);
  });

  it("draws a bar on a terminal and ends the line when done", () => {
    const out = capture();
    const p = createProgress({ label: "fetch", total: 2048, unit: "bytes", interactive: true, stream: out.stream });
    p.tick(1024);
    p.done();
    expect(out.text()).toContain("\rfetch [###############...............]  50% 1.0 KiB/2.0 KiB");
    expect(out.text().endsWith("\n")).toBe(true);
  });

  it("formats sizes in binary units", () => {
    expect(formatAmount(512, "bytes")).toBe("512 B");
    expect(formatAmount(1536, "bytes")).toBe("1.5 KiB");
    expect(formatAmount(1024 ** 3, "bytes")).toBe("1.0 GiB");
  });
});
