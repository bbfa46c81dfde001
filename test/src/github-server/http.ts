// Responses and errors shaped like api.github.com's, so clients see what they would see there.

export const GENERIC_DOCS = "https://docs.github.com/rest";

export interface Reply {
  status: number;
  body?: unknown;
  /** Bytes sent as they are (artifact zips); `body` is ignored when set. */
  raw?: Uint8Array;
  headers?: Record<string, string>;
}

export interface ValidationErrorItem {
  resource: string;
  field?: string;
  code: string;
  message?: string;
}

/** Thrown by handlers and validation; turned into GitHub's error body. */
export class GitHubHttpError extends Error {
  readonly status: number;
  readonly documentationUrl: string;
  readonly errors: ValidationErrorItem[] | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(
    status: number,
    message: string,
    documentationUrl?: string | null,
    errors?: ValidationErrorItem[],
    headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "GitHubHttpError";
    this.status = status;
    this.documentationUrl = documentationUrl ?? GENERIC_DOCS;
    this.errors = errors;
    this.headers = headers;
  }
}

export function errorBody(error: GitHubHttpError): Record<string, unknown> {
  const body: Record<string, unknown> = { message: error.message };
  if (error.errors) body.errors = error.errors;
  body.documentation_url = error.documentationUrl;
  body.status = String(error.status);
  return body;
}

export function notFound(documentationUrl?: string | null): GitHubHttpError {
  return new GitHubHttpError(404, "Not Found", documentationUrl);
}

/** GitHub's "Validation Failed" for semantic rules a JSON schema cannot express. */
export function validationFailed(
  documentationUrl: string | null,
  errors: ValidationErrorItem[],
  message = "Validation Failed",
): GitHubHttpError {
  return new GitHubHttpError(422, message, documentationUrl, errors);
}

export const DEFAULT_FAULT_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Bad credentials",
  403: "Resource not accessible by integration",
  404: "Not Found",
  409: "Conflict",
  410: "Gone",
  422: "Validation Failed",
  429: "API rate limit exceeded",
  500: "Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};
