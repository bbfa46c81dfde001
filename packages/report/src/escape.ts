/**
 * Escaping for text that came from users, datasets or models and ends up in GitHub-flavoured
 * Markdown. GitHub renders comments with HTML allowed, mentions and issue links live, so every
 * piece of foreign text goes through one of these before it is placed.
 */

const ZWSP = "\u200B";

/** Characters XML 1.0 forbids (and that GitHub silently drops or mangles): C0 controls except tab/newline/CR, lone surrogates, U+FFFE/U+FFFF. */
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function stripForbiddenChars(text: string): string {
  return text.replace(FORBIDDEN, "");
}

/** Stops `@user` pinging and `#123`/`GH-1` cross-referencing without changing what a reader sees. */
function neutraliseReferences(text: string): string {
  return text.replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`).replace(/#(?=\d)/g, `#${ZWSP}`);
}

/** Our own hidden markers must never appear in foreign text, or a crafted output could confuse the sticky-comment updater. */
function neutraliseComments(text: string): string {
  return text.replace(/<!--/g, `<${ZWSP}!--`).replace(/-->/g, `--${ZWSP}>`);
}

/**
 * Inline text (a table cell, a list item, a heading): HTML and Markdown syntax escaped with
 * backslashes/entities, newlines folded, references neutralised.
 */
export function escapeInline(text: string): string {
  const clean = stripForbiddenChars(text).replace(/\r\n?|\n/g, " ");
  const escaped = clean
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([\\`*_[\]|~])/g, "\\$1")
    // Block syntax only matters at the start of a line: headings, quotes, list markers.
    .replace(/^(\s*)([#+-]|\d+(?=[.)]))/, "$1\\$2");
  return neutraliseReferences(escaped);
}

/** Cuts to at most `max` code points, saying how much was cut; never splits a surrogate pair. */
export function excerpt(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return `${points.slice(0, max).join("")}… (${points.length - max} more characters)`;
}

/**
 * A fenced code block that the content cannot close: the fence is longer than any backtick run
 * inside. Code blocks render no HTML and no mentions, so only the fence and our markers matter.
 */
export function codeBlock(text: string, language = ""): string {
  const clean = neutraliseComments(stripForbiddenChars(text)).replace(/\r\n?/g, "\n");
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${clean}\n${fence}`;
}

/** An inline code span that the content cannot close (CommonMark: pad when the content starts or ends with a backtick). */
export function codeSpan(text: string, options: { inTable?: boolean } = {}): string {
  const clean = neutraliseComments(stripForbiddenChars(text)).replace(/\r\n?|\n/g, " ");
  if (clean === "") return "` `";
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") || (clean.startsWith(" ") && clean.endsWith(" ")) ? " " : "";
  // A pipe ends a table cell even inside a code span in GFM tables; its backslash escape is honoured there only.
  const body = options.inTable ? clean.replace(/\|/g, "\\|") : clean;
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** Text for Mermaid labels: Mermaid has no reliable escaping, so keep a safe subset. */
export function mermaidLabel(text: string, max = 30): string {
  const safe = stripForbiddenChars(text)
    .replace(/[^A-Za-z0-9 _.:/+-]/g, "_")
    .trim();
  return Array.from(safe).slice(0, max).join("") || "_";
}
