/**
 * Cutting text to a service's size limit. GitHub counts comment and check-run limits in
 * characters and the job summary in bytes; a cut must land under the limit including the note
 * that says it was cut, and must not split a character or a grapheme (an emoji sequence, a
 * letter with its accents) so the last thing a reader sees is still what was written.
 */

/** GitHub refuses a step's job summary larger than this many bytes (1024k; the runner's check). */
export const JOB_SUMMARY_LIMIT = 1024 * 1024;

export type ClipUnit = "utf16" | "bytes";

export interface ClipOptions {
  /** What `limit` counts: UTF-16 code units (JavaScript length; never fewer than characters) or UTF-8 bytes. */
  unit?: ClipUnit;
  /** Appended when the text is cut; dropped when even it does not fit. */
  suffix?: string;
  /** How far back from the cut a line break is looked for, in units; 0 cuts anywhere. Default 2,000. */
  lineWindow?: number;
}

export const CLIP_SUFFIX = "\n\n… (cut at GitHub's limit)";

const encoder = new TextEncoder();

export function measure(text: string, unit: ClipUnit = "utf16"): number {
  return unit === "bytes" ? Buffer.byteLength(text, "utf8") : text.length;
}

/** The longest prefix length (in UTF-16 units) that fits `room`, never inside a surrogate pair. */
function fittingPrefix(text: string, room: number, unit: ClipUnit): number {
  if (unit === "bytes") {
    // encodeInto stops before a character that would not fit whole, and says how much it read.
    const { read } = encoder.encodeInto(text, new Uint8Array(room));
    return read;
  }
  let end = Math.min(room, text.length);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
  return end;
}

let segmenter: Intl.Segmenter | undefined;

/** The last grapheme boundary at or before `end`; looks at a bounded window so clipping megabytes stays linear. */
function graphemeBoundary(text: string, end: number): number {
  if (end >= text.length || end === 0) return end;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  const from = Math.max(0, end - 64);
  let boundary = from;
  for (const { index } of segmenter.segment(text.slice(from, Math.min(text.length, end + 64)))) {
    if (from + index > end) break;
    boundary = from + index;
  }
  // A grapheme longer than the window (hundreds of combining marks) is cut at a code point instead.
  if (boundary === from && from > 0) return end;
  return boundary;
}

/** `text` if it fits `limit`, else its longest clean prefix plus the suffix, never more than `limit` in `unit`. */
export function clip(text: string, limit: number, options: ClipOptions = {}): string {
  const unit = options.unit ?? "utf16";
  const max = Math.max(0, Math.floor(limit));
  if (measure(text, unit) <= max) return text;
  let suffix = options.suffix ?? CLIP_SUFFIX;
  if (measure(suffix, unit) > max) suffix = "";
  const room = max - measure(suffix, unit);
  let end = graphemeBoundary(text, fittingPrefix(text, room, unit));
  const window = options.lineWindow ?? 2_000;
  if (window > 0) {
    const line = text.lastIndexOf("\n", end - 1);
    if (line >= 0 && end - line <= window) end = line;
  }
  return `${text.slice(0, end)}${suffix}`;
}

/** The note ending a job summary cut to GitHub's limit. */
export const JOB_SUMMARY_SUFFIX =
  "\n\n> [!NOTE]\n> Cut to fit GitHub's 1 MiB job summary limit; the full report is in the step's output files or artifact.\n";

/** A job summary that GitHub will accept: at most `maxBytes` UTF-8 bytes (default the 1 MiB limit). */
export function capJobSummary(markdown: string, maxBytes: number = JOB_SUMMARY_LIMIT): string {
  return clip(markdown, maxBytes, { unit: "bytes", suffix: JOB_SUMMARY_SUFFIX });
}
