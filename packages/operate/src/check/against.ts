import type { Logger } from "@llmops/core";
import { HashSet64 } from "../shared/hash-set64.ts";
import { BandIndex } from "./band-index.ts";
import { type CaseFile, selectCaseFiles } from "./case-files.ts";
import { CaseTable } from "./case-table.ts";
import { caseViewOf } from "./case-view.ts";
import { forEachCaseText, MAX_NESTING, nestingDepth, parseFieldPath, StringWalker } from "./fields.ts";
import { type Banding, bandKeys } from "./lsh.ts";
import { packSignature } from "./minhash.ts";
import type { CheckSubject } from "./result.ts";
import { readRows } from "./rows.ts";
import { TextFeatures } from "./text-features.ts";

/** A version (or directory) to look for contamination in, on disk. */
export interface AgainstSource {
  /** Directory or file holding its case files. */
  path: string;
  subject: CheckSubject;
  /** Its text fields (its own `checks.fields`); default every string of vars and expected. */
  fields?: readonly string[];
  /** Its case files (its own `checks.files`); default every case file. */
  files?: readonly string[];
}

/**
 * What the checks keep of the version checked against: the 64-bit hashes of its word n-grams
 * (each with the first case it came from), its LSH buckets and, on disk, its cases' locations and
 * signatures. This is the one structure that grows with a dataset — the other version's — which
 * is why it is built from the smaller side (an eval set) when checking a training set.
 */
export class AgainstIndex {
  readonly source: AgainstSource;
  readonly files: CaseFile[];
  readonly ngrams = new HashSet64(1 << 16, { values: true });
  readonly bands: BandIndex | undefined;
  readonly table: CaseTable;
  cases = 0;

  private constructor(source: AgainstSource, files: CaseFile[], table: CaseTable, near: boolean) {
    this.source = source;
    this.files = files;
    this.table = table;
    this.bands = near ? new BandIndex() : undefined;
  }

  static async build(
    source: AgainstSource,
    options: {
      scratch: string;
      name: string;
      ngram: number;
      shingle: number;
      permutations: number;
      banding: Banding | undefined;
      maxLineBytes: number;
      logger: Logger;
      signal?: AbortSignal;
    },
  ): Promise<AgainstIndex> {
    const { files } = await selectCaseFiles(source.path, source.files, `--against ${source.subject.ref}`);
    const table = new CaseTable(options.scratch, options.name, options.permutations);
    const index = new AgainstIndex(source, files, table, options.banding !== undefined);
    const fields = source.fields?.map(parseFieldPath);
    const features = new TextFeatures({ ngram: options.ngram, shingle: options.shingle, permutations: options.permutations });
    const packed = new Uint16Array(options.permutations);
    const keys = new Int32Array(options.banding?.bands ?? 0);
    const noHash = new Uint32Array(4);
    let current = 0;
    const onNgram = (hi: number, lo: number) => {
      index.ngrams.add(hi, lo, current);
    };
    const addText = (text: string) => features.addText(text, onNgram);
    const walker = new StringWalker(addText);
    for (let f = 0; f < files.length; f++) {
      const file = files[f]!;
      await readRows(file.path, file.title, file.format, { maxLineBytes: options.maxLineBytes, signal: options.signal }, (row) => {
        if (row.blank || row.value === undefined) return;
        if (nestingDepth(row.value) > MAX_NESTING) return;
        const cased = caseViewOf(row, file.title);
        if (!cased) return;
        current = table.count;
        features.beginCase();
        forEachCaseText(cased.view, fields, walker, addText);
        const hasSignature = !features.minhash.empty;
        if (hasSignature) packSignature(features.minhash.signature, packed);
        table.append(f, row.line, cased.view.id, noHash, hasSignature ? packed : undefined);
        if (hasSignature && options.banding && index.bands) {
          bandKeys(features.minhash.signature, options.banding, keys);
          for (let b = 0; b < keys.length; b++) index.bands.add(keys[b]!, current);
        }
        index.cases++;
      });
    }
    table.flush();
    options.logger.debug(
      `check: --against ${source.subject.ref}: ${index.cases} cases, ${index.ngrams.size} distinct ${options.ngram}-grams (${Math.round(index.ngrams.bytes / 1048576)} MiB)`,
    );
    return index;
  }

  close(): void {
    this.table.close();
  }
}
