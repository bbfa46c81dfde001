// A minimal stand-in for GitHub's GraphQL endpoint (`POST /graphql`, which octokit.graphql calls
// relative to the REST base URL). GraphQL is not part of the REST description, so the request is
// checked by hand: a JSON body with a `query` string. Only the viewer's identity is answered,
// `query { viewer { login } }` and `query { viewer { login databaseId } }` (any order, operation
// name, commas and comments allowed); any other query gets a GraphQL error and is unexpected.

export const GRAPHQL_DOCS = "https://docs.github.com/graphql";
export const GRAPHQL_AUTH_DOCS = "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql";

const SUPPORTED = "the GitHub test server answers only `query { viewer { login } }` and `query { viewer { login databaseId } }`";
const VIEWER_FIELDS = ["login", "databaseId"] as const;
type ViewerField = (typeof VIEWER_FIELDS)[number];

export interface Viewer {
  login: string;
  databaseId: number;
}

export interface GraphqlAnswer {
  /** The JSON body, `{ data }` or GraphQL's `{ errors: [{ message }] }` (answered with 200, as GitHub does). */
  body: unknown;
  /** Why the request is not one the server can answer; absent when it answered. */
  unexpected?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function failed(message: string, unexpected: string): GraphqlAnswer {
  return { body: { errors: [{ message }] }, unexpected };
}

/** Names and braces of a GraphQL document, skipping what GraphQL ignores (whitespace, commas, comments); other characters come one by one. */
function tokenize(source: string): string[] {
  const tokens: string[] = [];
  const pattern = /[\s,\uFEFF]+|#[^\n\r]*|([_A-Za-z][_0-9A-Za-z]*)|([\s\S])/g;
  for (const match of source.matchAll(pattern)) {
    const token = match[1] ?? match[2];
    if (token !== undefined) tokens.push(token);
  }
  return tokens;
}

/** The viewer fields a query asks for, with its operation name; undefined when it is not a viewer query this server answers. */
export function parseViewerQuery(source: string): { name: string | undefined; fields: ViewerField[] } | undefined {
  const tokens = tokenize(source);
  let i = 0;
  let name: string | undefined;
  if (tokens[i] === "query") {
    i++;
    if (tokens[i] !== undefined && /^[_A-Za-z]/.test(tokens[i]!)) name = tokens[i++];
  }
  if (tokens[i++] !== "{" || tokens[i++] !== "viewer" || tokens[i++] !== "{") return undefined;
  const fields: ViewerField[] = [];
  while (VIEWER_FIELDS.includes(tokens[i] as ViewerField)) {
    const field = tokens[i++] as ViewerField;
    if (!fields.includes(field)) fields.push(field);
  }
  if (fields.length === 0 || tokens[i++] !== "}" || tokens[i++] !== "}" || i !== tokens.length) return undefined;
  return { name, fields };
}

export function answerGraphql(body: unknown, viewer: Viewer): GraphqlAnswer {
  if (!isObject(body) || typeof body.query !== "string")
    return failed("A query attribute must be specified and must be a string.", "the request body has no `query` string");
  if (body.variables !== undefined && body.variables !== null && !isObject(body.variables))
    return failed("Variables are invalid JSON.", "`variables` is not an object");
  const parsed = parseViewerQuery(body.query);
  const oneLine = body.query.replace(/\s+/g, " ").trim();
  if (!parsed) return failed(`Unsupported query: ${SUPPORTED}.`, `${SUPPORTED}, not \`${oneLine}\``);
  const operationName = body.operationName;
  if (operationName !== undefined && operationName !== null && operationName !== parsed.name)
    return failed(
      `No operation named "${String(operationName)}"`,
      `operationName ${JSON.stringify(operationName)} names no operation of the query`,
    );
  return { body: { data: { viewer: Object.fromEntries(parsed.fields.map((field) => [field, viewer[field]])) } } };
}
