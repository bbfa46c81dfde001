import { describe, expect, it } from "vitest";
import { codeBlock, codeSpan, escapeHtml, escapeInline } from "../src/escape.ts";
import { HOSTILE, INVISIBLE_CHARS, LIVE_PATTERNS, linkableText, renderGfm, tagNames } from "./hostile.ts";

/** Every place escaped text is put in our Markdown, with the helper that place uses. */
const CONTEXTS: { name: string; place: (text: string) => string }[] = [
  { name: "table cell", place: (t) => `| Metric | Note |\n|---|---|\n| ${escapeInline(t)} | end |\n\nafter` },
  { name: "code span in a table cell", place: (t) => `| Metric | Note |\n|---|---|\n| ${codeSpan(t, { inTable: true })} | end |\n\nafter` },
  {
    name: "summary line",
    place: (t) => `<details><summary>🔻 pass → fail: <code>${escapeHtml(t)}</code></summary>\n\n**Input**\n\nbody\n\n</details>\n\nafter`,
  },
  { name: "plain summary line", place: (t) => `<details><summary>${escapeHtml(t)}</summary>\n\nbody\n\n</details>\n\nafter` },
  { name: "paragraph", place: (t) => `Baseline: ${escapeInline(t)} · 3 matched cases\n\nafter` },
  { name: "paragraph start", place: (t) => `${escapeInline(t)} (end)\n\nafter` },
  { name: "list item", place: (t) => `- ${escapeInline(t)}\n- second\n\nafter` },
  { name: "list item with a code span", place: (t) => `- ${codeSpan(t)}: ${escapeInline(t)}\n\nafter` },
  { name: "heading", place: (t) => `### ${escapeInline(t)}\n\nafter` },
  { name: "heading with a code span", place: (t) => `## Eval ${codeSpan(t)}: passed\n\nafter` },
  { name: "quote", place: (t) => `> [!NOTE]\n> No baseline found (${escapeInline(t)}): head only.\n\nafter` },
  { name: "code block", place: (t) => `${codeBlock(t)}\n\nafter` },
];

describe("escaped hostile text rendered by a GFM renderer", () => {
  for (const context of CONTEXTS) {
    it(`stays text in a ${context.name}`, () => {
      const benign = tagNames(renderGfm(context.place("plain words")));
      for (const text of HOSTILE) {
        const html = renderGfm(context.place(text));
        // The same elements as for plain words: no img, a, heading, raw HTML, and nothing closed early.
        expect(tagNames(html), `${JSON.stringify(text)} -> ${html}`).toEqual(benign);
        expect(html, `controls kept from ${JSON.stringify(text)}`).not.toMatch(INVISIBLE_CHARS);
        const visible = linkableText(html);
        for (const [what, pattern] of LIVE_PATTERNS) expect(visible, `${what} in ${JSON.stringify(text)} -> ${html}`).not.toMatch(pattern);
      }
    });
  }

  it("shows the text itself, escaped only for the renderer", () => {
    const shown = (text: string) => linkableText(renderGfm(`Note: ${escapeInline(text)}`)).replace(/\u200B/g, "");
    expect(shown("<img src=x onerror=alert(1)>")).toContain("<img src=x onerror=alert(1)>");
    expect(shown("[link](https://evil.example)")).toContain("[link](https://evil.example)");
    expect(shown("1. ordered")).toContain("1. ordered");
    expect(shown("a | b \\ c")).toContain("a | b \\ c");
    expect(shown("@octocat #1 GH-2")).toContain("@octocat #1 GH-2");
    expect(shown("line\nbreak")).toContain("line break");
    const summary = linkableText(renderGfm(`<details><summary>${escapeHtml("<b>x</b> & 'y'")}</summary>\n\n</details>`));
    expect(summary).toContain("<b>x</b> & 'y'");
  });
});
