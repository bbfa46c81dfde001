import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { DefaultArtifactClient } from "@actions/artifact";
import { ExternalError, oneLine } from "@llmops/core";

async function listFilesRecursive(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Uploads an eval output directory as a workflow artifact (for the compare job, the fork-safe
 * report flow and `llmops eval merge` of shards). Returns the artifact id.
 */
export async function uploadResults(options: {
  name: string;
  dir: string;
  retentionDays?: number;
}): Promise<{ id: number | undefined; size: number | undefined; files: number }> {
  const files = await listFilesRecursive(options.dir);
  if (files.length === 0) throw new ExternalError(`upload-results: ${options.dir} holds no files`);
  try {
    const client = new DefaultArtifactClient();
    const response = await client.uploadArtifact(options.name, files, options.dir, {
      ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
    });
    return { id: response.id, size: response.size, files: files.length };
  } catch (error) {
    throw new ExternalError(`upload-results: uploading artifact ${options.name} failed: ${oneLine(error)}`);
  }
}
