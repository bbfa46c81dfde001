import MarkdownIt from "markdown-it";
import { describe, expect, it } from "vitest";
import { codeBlock, codeSpan, escapeInline, excerpt, stripForbiddenChars } from "../src/escape.ts";

// An independent CommonMark + GFM-tables implementation, with raw HTML on as GitHub has it.
const md = new MarkdownIt({ html: true });

describe("escapeInline", () => {
  it("renders hostile text as literal text, with no HTML and no emphasis", () => {
    const hostile = "<img src=x onerror=alert(1)> **bold** [link](http://x) `code` _i_ | pipe";
    const html = md.renderInline(escapeInline(hostile));
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<strong>");
    expect(html).not.toContain("<a ");
    expect(html).not.toContain("<code>");
    expect(html).not.toContain("<em>");
    expect(html).toContain("&lt;img");
  });

  it("keeps a table cell in one piece when the text has pipes and newlines", () => {
    const table = `| a | b |\n|---|---|\n| ${escapeInline("x | y\nz")} | end |`;
    const html = md.render(table);
    expect(html.match(/<td>/g)).toHaveLength(2);
    expect(html).toContain("<td>end</td>");
  });

  it("neutralises mentions and issue references without hiding them", () => {
    const out = escapeInline("ping @octocat about #12");
    expect(out).not.toMatch(/@[A-Za-z]/);
    expect(out).not.toMatch(/#\d/);
    expect(out.replace(/\u200B/g, "")).toContain("@octocat");
  });
});

describe("codeBlock and codeSpan", () => {
  it("cannot be closed by backticks in the content", () => {
    const text = "before\n```\n<details>escape</details>\n````\nafter";
    const html = md.render(`${codeBlock(text)}\n\n<b>outside</b>`);
    expect(html.match(/<pre>/g)).toHaveLength(1);
    expect(html).not.toContain("<details>");
    expect(html).toContain("<b>outside</b>");
    expect(html).toContain("after");
  });

  it("keeps a code span intact whatever backticks it holds", () => {
    for (const text of ["a`b", "`start", "end`", "``double``", ""]) {
      const html = md.renderInline(`x ${codeSpan(text)} y`);
      expect(html.match(/<code>/g), text).toHaveLength(1);
      expect(html.endsWith(" y"), text).toBe(true);
    }
  });

  it("hides our comment markers so foreign text cannot forge them", () => {
    expect(codeBlock("<!-- llmops:main:end -->")).not.toContain("<!--");
    expect(codeSpan("-->")).not.toContain("-->");
  });
});

describe("excerpt and forbidden characters", () => {
  it("cuts by UTF-16 units (String.length), never through a surrogate pair, and says how much was cut", () => {
    const text = "😀".repeat(10);
    expect(excerpt(text, 4)).toBe("😀😀… (16 more characters)");
    // The fifth unit is the high half of a pair: the cut falls before it.
    expect(excerpt(text, 5)).toBe("😀😀… (16 more characters)");
    expect(excerpt("abcdef", 3)).toBe("abc… (3 more characters)");
    expect(excerpt("short", 10)).toBe("short");
    expect(excerpt("short", 5)).toBe("short");
    // A caller that kept only the start of a longer text says how long the whole was.
    expect(excerpt("abcdef", 3, 1000)).toBe("abc… (997 more characters)");
  });

  it("cuts a 50 MB text in a moment: it never walks the whole text", () => {
    const huge = `é${"x".repeat(50_000_000)}`;
    const started = performance.now();
    const cut = excerpt(huge, 240);
    expect(performance.now() - started).toBeLessThan(200);
    expect(cut).toBe(`é${"x".repeat(239)}… (49999761 more characters)`);
  });

  it("drops characters XML 1.0 forbids, including lone surrogates", () => {
    expect(stripForbiddenChars("a\u0000b\u0007c\tline\n\uD800d\uFFFEe😀")).toBe("abc\tline\nde😀");
  });
});
