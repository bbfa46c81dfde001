import { oneLine } from "@llmops/core";
import { clip, stripControlChars } from "@llmops/report";

/** GitHub's limits: deployment and deployment-status descriptions, issue and pull request titles, bodies and comments. */
export const DESCRIPTION_LIMIT = 140;
export const TITLE_LIMIT = 256;
export const BODY_LIMIT = 65_536;

/** One line without control characters, cut to `limit` characters with an ellipsis: descriptions and titles. */
export function clipLine(text: string, limit: number): string {
  return clip(stripControlChars(oneLine(text)), limit, { suffix: "…", lineWindow: 0 });
}

/** Markdown cut to `limit` characters with a note that it was cut. */
export function clipBody(text: string, limit: number = BODY_LIMIT): string {
  return clip(text, limit);
}
