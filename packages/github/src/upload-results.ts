import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { DefaultArtifactClient } from "@actions/artifact";
import { ExternalError, oneLine } from "@llmops/core";

async function listFilesRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export interface UploadedArtifact {
  id: number | undefined;
  size: number | undefined;
  files: number;
}

/**
 * Uploads files (paths below `root`, which becomes the artifact's root) as a workflow artifact:
 * the one place this package talks to the artifact service. Returns the artifact id.
 */
export async function uploadArtifactFiles(options: {
  name: string;
  files: string[];
  root: string;
  retentionDays?: number;
  /** Upload the (single) file as it is, not zipped; the artifact service then names the artifact after the file. */
  skipArchive?: boolean;
}): Promise<UploadedArtifact> {
  try {
    const client = new DefaultArtifactClient();
    const response = await client.uploadArtifact(options.name, options.files, options.root, {
      ...(options.skipArchive ? { skipArchive: true } : {}),
      ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
    });
    return { id: response.id, size: response.size, files: options.files.length };
  } catch (error) {
    throw new ExternalError(`upload-results: uploading artifact ${options.name} failed: ${oneLine(error)}`);
  }
}

/**
 * Uploads one file as it is, not zipped, as a workflow artifact named after the file (the artifact
 * service's rule for unarchived uploads): downloading it gives the file itself. Returns the id.
 */
export async function uploadArtifactFile(options: { file: string; retentionDays?: number }): Promise<UploadedArtifact> {
  return uploadArtifactFiles({
    ...options,
    name: basename(options.file),
    files: [options.file],
    root: dirname(options.file),
    skipArchive: true,
  });
}

/**
 * Uploads an eval output directory as a workflow artifact (for the compare job, the fork-safe
 * report flow and `llmops eval merge` of shards). Returns the artifact id.
 */
export async function uploadResults(options: { name: string; dir: string; retentionDays?: number }): Promise<UploadedArtifact> {
  const files = await listFilesRecursive(options.dir);
  if (files.length === 0) throw new ExternalError(`upload-results: ${options.dir} holds no files`);
  return uploadArtifactFiles({
    name: options.name,
    files,
    root: options.dir,
    ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
  });
}
