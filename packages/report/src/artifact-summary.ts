import { codeSpan, escapeInline } from "./escape.ts";

/**
 * Job summaries of the version and fetch steps. Names, refs, aliases, file paths and the store
 * come from the workflow, the versioned directory (which a pull request can fill) or the store,
 * so every one of them is escaped like any other foreign text.
 */

export interface VersionSummaryInput {
  kind: string;
  ref: string;
  digest: string;
  uploadedBytes: number;
  reusedBytes: number;
  aliases: string[];
  parents: { ref?: string; digest: string }[];
  files: { title: string; size: number; digest: string; reused: boolean }[];
}

export interface FetchSummaryInput {
  name: string;
  version?: string;
  digest: string;
  path: string;
  downloadedBytes: number;
  files: { source: string }[];
}

/** Files listed before the table says how many more there are; a summary is for reading, the store has the rest. */
const MAX_FILES = 500;

const short = (digest: string) => digest.slice(0, 19);

export function renderVersionSummary(result: VersionSummaryInput, store: string): string {
  const listed = result.files.slice(0, MAX_FILES);
  const rows = listed.map(
    (f) => `| ${escapeInline(f.title)} | ${f.size} | ${codeSpan(short(f.digest), { inTable: true })} | ${f.reused ? "reused" : "stored"} |`,
  );
  if (result.files.length > listed.length) rows.push(`| … and ${result.files.length - listed.length} more files | | | |`);
  const lineage = result.parents.length
    ? result.parents.map((p) => `- derived from ${p.ref ? `${codeSpan(p.ref)} ` : ""}${codeSpan(p.digest)}`).join("\n")
    : "- no parents recorded";
  return [
    `### ${escapeInline(result.kind)} ${codeSpan(result.ref)}`,
    "",
    `Digest ${codeSpan(result.digest)} in ${codeSpan(store)}; ${result.uploadedBytes} bytes stored, ${result.reusedBytes} reused.`,
    result.aliases.length ? `Aliases: ${result.aliases.map((a) => codeSpan(a)).join(", ")}` : "",
    "",
    "#### Lineage",
    lineage,
    "",
    "#### Files",
    "| File | Bytes | Digest | |",
    "| --- | ---: | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

export function renderFetchSummary(result: FetchSummaryInput, store: string): string {
  const fromCache = result.files.filter((f) => f.source === "cache").length;
  const name = `${result.name}${result.version ? `:${result.version}` : ""}`;
  return `### Fetched ${codeSpan(name)}\n\nDigest ${codeSpan(result.digest)} from ${codeSpan(store)} into ${codeSpan(result.path)}: ${result.files.length} files verified, ${result.downloadedBytes} bytes downloaded, ${fromCache} from the blob cache.\n`;
}
