import { InputError } from "@llmops/core";

/** The JSON Schema file of `checks.schema` cannot be read or used (exit 2). */
export class JsonSchemaFileError extends InputError {
  readonly file: string;
  constructor(file: string, expected: string, options?: ErrorOptions) {
    super(`checks.schema ${file}: ${expected}`, options);
    this.file = file;
  }
}

/** The redacted copy cannot be written, or could not be verified free of PII (exit 2; nothing is left behind). */
export class RedactedCopyError extends InputError {
  readonly path: string;
  constructor(path: string, expected: string, options?: ErrorOptions) {
    super(`redacted copy ${path}: ${expected}`, options);
    this.path = path;
  }
}

/** A dataset to check (or to check against) has no case files to read (exit 2). */
export class NoCaseFilesError extends InputError {
  constructor(what: string, detail: string) {
    super(`${what}: no case files to check (${detail})`);
  }
}
