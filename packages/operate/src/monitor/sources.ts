import { existsSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { InputError, type MonitorDataConfig } from "@llmops/core";
import { parseRef, type Store } from "@llmops/store";
import type { DriftSource } from "../drift/drift.ts";
import { type RecordFormat, recordFormat } from "../drift/records.ts";

/**
 * Where a monitor's sample and reference records come from: a file relative to llmops.yaml, or a
 * file of a dataset version in the store (fetched, digest-verified, into a temporary directory
 * that `close()` removes). A dataset version fetched once serves every monitor that names it.
 */
export class SourceResolver {
  readonly #store: () => Store;
  readonly #configDir: string;
  readonly #cwd: string;
  readonly #fetched = new Map<string, Promise<{ digest: string; version?: string; path: string; files: string[] }>>();
  readonly #temps: string[] = [];

  constructor(options: { store: () => Store; configDir: string; cwd: string }) {
    this.#store = options.store;
    this.#configDir = options.configDir;
    this.#cwd = options.cwd;
  }

  /** The source `config` names (`what` labels errors: `sample`, `reference`). */
  async resolve(config: MonitorDataConfig, what: string): Promise<DriftSource> {
    const spec = typeof config === "string" ? { file: config } : config;
    if (spec.dataset === undefined) return this.#file(resolve(this.#configDir, spec.file!), spec.file!, spec.format, what);
    return this.#dataset(spec.dataset, spec.file, spec.format, what);
  }

  /**
   * `--sample` / the `sample` input: a file (relative to the working directory) when one exists
   * there, else a dataset ref (`name:alias`, `name:vN`, `name@sha256:…`: the version named explicitly); its file is `file` of the
   * monitor's configured dataset sample, else the version's only data file.
   */
  async resolveOverride(value: string, configured: MonitorDataConfig | undefined): Promise<DriftSource> {
    const path = resolve(this.#cwd, value);
    if (existsSync(path)) return this.#file(path, value, undefined, "sample");
    // A ref names its version explicitly (`:` or `@`): `traffic.jsonl` alone is a missing file, not `traffic.jsonl:latest`.
    let ref = false;
    try {
      ref = /[:@]/.test(value) && parseRef(value) !== undefined;
    } catch {
      ref = false;
    }
    if (!ref) throw new InputError(`sample ${value}: is neither a file nor a dataset ref (name:alias, name:vN, name@sha256:…)`);
    const file = typeof configured === "object" && configured.dataset !== undefined ? configured.file : undefined;
    return this.#dataset(value, file, typeof configured === "object" ? configured.format : undefined, "sample");
  }

  #file(path: string, display: string, format: RecordFormat | undefined, what: string): DriftSource {
    if (!existsSync(path)) throw new InputError(`${what} ${display}: does not exist`);
    if (!statSync(path).isFile()) throw new InputError(`${what} ${display}: is not a file`);
    return { path, display, format };
  }

  async #dataset(ref: string, file: string | undefined, format: RecordFormat | undefined, what: string): Promise<DriftSource> {
    let fetched = this.#fetched.get(ref);
    if (!fetched) {
      fetched = (async () => {
        const dir = await mkdtemp(join(tmpdir(), "llmops-monitor-"));
        this.#temps.push(dir);
        const result = await this.#store().fetch(ref, dir);
        return {
          digest: result.digest,
          ...(result.version ? { version: result.version } : {}),
          path: result.path,
          files: result.files.map((f) => f.title),
        };
      })();
      this.#fetched.set(ref, fetched);
    }
    const version = await fetched;
    const name = parseRef(ref).name;
    let title = file;
    if (title === undefined) {
      const data = version.files.filter((f) => recordFormat(f) !== undefined);
      if (data.length !== 1) {
        throw new InputError(
          `${what} ${ref}: the version holds ${data.length === 0 ? "no .jsonl, .json or .csv file" : `${data.length} data files (${data.slice(0, 5).join(", ")})`}; name one with file:`,
        );
      }
      title = data[0]!;
    } else if (!version.files.includes(title)) {
      throw new InputError(`${what} ${ref}: the version has no file ${title}`);
    }
    const path = resolve(version.path, title);
    const inside = relative(version.path, path);
    if (inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside))
      throw new InputError(`${what} ${ref}: ${title} is outside the version`);
    return { path, display: `${name}@${version.digest.slice(0, 19)}…/${title}`, format, digest: version.digest };
  }

  /** Removes the fetched dataset versions. */
  async close(): Promise<void> {
    await Promise.all(this.#temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
