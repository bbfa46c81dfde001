/**
 * Escaping for text that came from users, datasets, models or a fork's run and ends up in
 * GitHub-flavoured Markdown. GitHub renders comments with HTML allowed and with mentions, issue
 * references and URLs turned into live links, so every piece of foreign text goes through one of
 * these before it is placed: `escapeInline` for Markdown text (table cells, paragraphs, list
 * items, headings), `escapeHtml` inside HTML such as `<summary>`, `codeSpan`/`codeBlock` for
 * verbatim text.
 */

const ZWSP = "\u200B";

/** Characters XML 1.0 forbids (and that GitHub silently drops or mangles): C0 controls except tab/newline/CR, lone surrogates, U+FFFE/U+FFFF. */
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * What must never reach a reader of a comment: everything XML forbids, plus DEL and the C1
 * controls (terminal escapes), and the bidirectional controls that make text display in another
 * order than it is stored ("Trojan Source"), so a reviewer reads what the bytes say.
 */
const INVISIBLE =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Every way a line can end, including the Unicode separators some renderers honour. */
const LINE_BREAKS = /\r\n?|[\n\u2028\u2029]/g;

export function stripForbiddenChars(text: string): string {
  return text.replace(FORBIDDEN, "");
}

/** Controls, bidi overrides and lone surrogates removed; tabs and line breaks kept. */
export function stripControlChars(text: string): string {
  return text.replace(INVISIBLE, "");
}

/**
 * Stops what GitHub turns into notifications or links in plain text — `@user` and `@org/team`
 * mentions, `#123`, `GH-123` and `owner/repo#123` references, `https://…` and `www.` autolinks
 * (issue and pull request URLs among them), `user@host` e-mail links — by putting a zero-width
 * space where their patterns need adjacent characters. Readers see the same text.
 */
function neutraliseReferences(text: string): string {
  return text
    .replace(/@(?=[\p{L}\p{N}_])/gu, `@${ZWSP}`)
    .replace(/#(?=\p{N})/gu, `#${ZWSP}`)
    .replace(/(gh)-(?=\p{N})/giu, `$1-${ZWSP}`)
    .replace(/:(?=\/\/)/g, `:${ZWSP}`)
    .replace(/(www)\./giu, `$1${ZWSP}.`);
}

/** Our own hidden markers must never appear in foreign text, or a crafted output could confuse the sticky-comment updater. */
function neutraliseComments(text: string): string {
  return text.replace(/<!--/g, `<${ZWSP}!--`).replace(/-->/g, `--${ZWSP}>`);
}

/** One line: controls gone, every line break and whitespace run a single space (HTML shows runs of whitespace as one anyway). */
function oneLine(text: string): string {
  // \s covers every line break LINE_BREAKS names (\r, \n, U+2028, U+2029) as well.
  return stripControlChars(text).replace(/\s+/g, " ").trim();
}

/**
 * Inline Markdown text (a table cell, a paragraph, a list item, a heading): one line, HTML and
 * Markdown syntax escaped with entities and backslashes, references and autolinks neutralised.
 * Nothing in the result can open a tag, a link, an image, a heading or a table cell.
 */
export function escapeInline(text: string): string {
  // References first: the escapes below add no character their patterns look for.
  return (
    neutraliseReferences(oneLine(text))
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // `$` starts GitHub's math; `!`, `[` and `]` images and links; `|` ends a table cell.
      .replace(/([\\`*_[\]|~$!])/g, "\\$1")
      // Block syntax only matters at the start of a line: headings, quotes, list markers, thematic breaks.
      .replace(/^[#+=-]/, "\\$&")
      // An ordered-list marker is escaped at its punctuation: a backslash before a digit is not an escape.
      .replace(/^(\d+)([.)])/, "$1\\$2")
  );
}

/**
 * Text inside HTML, such as a `<summary>` line: one line (a blank line would end GitHub's HTML
 * block and let Markdown through), entity-escaped, references neutralised. Markdown is not
 * interpreted there, so no backslashes.
 */
export function escapeHtml(text: string): string {
  // References first: the entities below contain `#` and digits.
  return neutraliseReferences(oneLine(text))
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * Cuts to at most `max` characters, saying how many more there were. Characters are UTF-16 code
 * units (`String.length`), as everywhere lengths are configured (the HTML report's
 * `maxTextLength`, compare's `excerptLength`): counting them costs nothing however long the text
 * (a model may return megabytes). The cut never splits a surrogate pair: it falls one unit
 * earlier instead. `fullLength` is the whole text's length when `text` is only its start (a caller
 * that cleaned a bounded prefix of a huge text).
 */
export function excerpt(text: string, max: number, fullLength = text.length): string {
  if (fullLength <= max) return text;
  let end = Math.min(text.length, Math.max(0, Math.floor(max)));
  const code = text.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end)}… (${fullLength - end} more characters)`;
}

/**
 * A fenced code block that the content cannot close: the fence is longer than any backtick run
 * inside. Code blocks render no HTML and no mentions, so only the fence and our markers matter.
 */
export function codeBlock(text: string, language = ""): string {
  const clean = neutraliseComments(stripControlChars(text)).replace(LINE_BREAKS, "\n");
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${clean}\n${fence}`;
}

/** An inline code span that the content cannot close (CommonMark: pad when the content starts or ends with a backtick). */
export function codeSpan(text: string, options: { inTable?: boolean } = {}): string {
  const clean = neutraliseComments(stripControlChars(text)).replace(LINE_BREAKS, " ");
  if (clean === "") return "` `";
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const ticks = "`".repeat(longest + 1);
  const pad = clean.startsWith("`") || clean.endsWith("`") || (clean.startsWith(" ") && clean.endsWith(" ")) ? " " : "";
  // A GFM table splits cells before code spans are parsed: `\|` is its only escape, and a
  // backslash right before it would pair with it instead, so that backslash is kept apart.
  const body = options.inTable ? clean.replace(/\\(?=\|)/g, `\\${ZWSP}`).replace(/\|/g, "\\|") : clean;
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** Text for Mermaid labels: Mermaid has no reliable escaping, so keep a safe subset. */
export function mermaidLabel(text: string, max = 30): string {
  const safe = stripForbiddenChars(text)
    .replace(/[^A-Za-z0-9 _.:/+-]/g, "_")
    .trim();
  return Array.from(safe).slice(0, max).join("") || "_";
}
