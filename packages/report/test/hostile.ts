// Strings a fork, a dataset or a model output could carry into a comment, and a GFM renderer to
// check what they become. micromark with its GFM extension is an independent implementation of
// the same spec GitHub's renderer follows; raw HTML is on, as GitHub has it.
import { micromark } from "micromark";
import { gfm, gfmHtml } from "micromark-extension-gfm";

export const HOSTILE: string[] = [
  "<img src=x onerror=alert(1)>",
  '<a href="https://evil.example">click</a>',
  "<script>alert(1)</script>",
  "<div>block</div>",
  "</details></summary></code></td></tr></table>",
  "<summary>fake summary</summary>",
  "<details open><summary>x</summary>",
  "<!-- llmops:compare suite=qa --> <!-- llmops:main -->",
  "-->",
  "<!-- unclosed",
  "[link](https://evil.example)",
  "![image](https://evil.example/x.png)",
  "[ref][1]\n\n[1]: https://evil.example",
  "<https://evil.example>",
  "https://evil.example/path",
  "www.evil.example",
  "mail me: someone@evil.example",
  "mailto:someone@evil.example",
  "\n# heading",
  "\n\n## heading after a blank line",
  "# heading at the start",
  "title\n===",
  "title\n---",
  "\n> quote",
  "\n- list item",
  "1. ordered",
  "     indented code",
  "@octocat and @github/security",
  "fixes #123 and octo-org/octo-repo#4",
  "GH-123 and gh-7",
  "https://github.com/octo-org/octo-repo/issues/1",
  "https://github.com/octo-org/octo-repo/pull/2#issuecomment-3",
  "a | b | c",
  "trailing backslash \\",
  "\\| escaped pipe",
  "`tick` ``double`` ```triple```",
  "**bold** _em_ ~~strike~~ *x*",
  "&lt;img src=x onerror=alert(1)&gt; &amp; &#60;b&#62; &#x3C;i&#x3E;",
  "$x^2$ and $$\\int$$",
  "nul\u0000 bell\u0007 esc\u001b[31mred del\u007f c1\u0085\u009b",
  "rtl \u202Eevil\u202C isolate \u2066x\u2069 mark \u200F",
  "line\u2028separator\u2029paragraph",
  "cr\rlf\r\nend",
  "<",
  "&",
  "😀 grapheme 👩‍👩‍👧 e\u0301",
  "",
];

export function renderGfm(markdown: string): string {
  return micromark(markdown, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] });
}

/** Names of every start and end tag in rendered HTML, in order. */
export function tagNames(html: string): string[] {
  return [...html.matchAll(/<(\/?[A-Za-z][A-Za-z0-9-]*)/g)].map((m) => (m[1] ?? "").toLowerCase());
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/** The text a reader sees outside code (where GitHub turns mentions, references and URLs into links), entities decoded. */
export function linkableText(html: string): string {
  return html
    .replace(/<pre[\s>][\s\S]*?<\/pre>/g, " ")
    .replace(/<code>[\s\S]*?<\/code>/g, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
      if (name.startsWith("#")) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name] ?? whole;
    });
}

/** What GitHub would turn into a link, a notification or reordered text, if it were in visible text. */
export const LIVE_PATTERNS: [string, RegExp][] = [
  ["mention", /(^|[^\p{L}\p{N}_`])@[\p{L}\p{N}_]/u],
  ["issue reference", /#\p{N}/u],
  ["GH- reference", /gh-\p{N}/iu],
  ["URL", /:\/\//],
  ["www autolink", /www\./i],
];

/** Controls and bidi overrides, which must not reach a reader anywhere, code included (Trojan Source). */
export const INVISIBLE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u200E\u200F]/;
