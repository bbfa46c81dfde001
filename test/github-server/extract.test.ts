// The extraction script keeps what request validation needs from GitHub's description, and the
// committed fixture is a complete extraction of the operations the project uses.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { extractOperations, OPERATION_IDS } from "../../scripts/extract-github-openapi.ts";

const doc = {
  openapi: "3.0.3",
  paths: {
    "/things/{thing_id}": {
      parameters: [{ $ref: "#/components/parameters/thing-id" }],
      patch: {
        operationId: "things/update",
        description: "Update a thing.",
        externalDocs: { url: "https://docs.example.com/things#update" },
        parameters: [
          { name: "dry_run", in: "query", schema: { type: "boolean" } },
          { name: "X-Trace", in: "header", schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { $ref: "#/components/schemas/thing" } } },
        },
        responses: {
          "200": { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/thing" } } } },
          "422": { description: "bad" },
        },
      },
      get: { operationId: "things/get", responses: { "302": { description: "moved" } } },
    },
  },
  components: {
    parameters: { "thing-id": { name: "thing_id", in: "path", required: true, description: "The id.", schema: { type: "integer" } } },
    schemas: {
      thing: {
        type: "object",
        description: "A thing.",
        additionalProperties: false,
        properties: {
          description: { type: "string", description: "A property that happens to be called description." },
          parent: { $ref: "#/components/schemas/thing" },
          tags: { type: "array", items: { type: "string", example: "x" } },
        },
        required: ["description"],
      },
    },
  },
};

describe("extractOperations", () => {
  const ops = extractOperations(doc, ["things/update", "things/get"]);

  it("keeps method, path, documentation URL and the lowest success status", () => {
    expect(ops["things/update"]).toMatchObject({
      method: "PATCH",
      path: "/things/{thing_id}",
      documentationUrl: "https://docs.example.com/things#update",
      successStatus: 200,
    });
    expect(ops["things/get"]).toMatchObject({
      method: "GET",
      successStatus: 302,
      requestBody: null,
      response: null,
      documentationUrl: null,
    });
  });

  it("merges path-level parameters, resolves their $refs and drops header parameters", () => {
    expect(ops["things/update"]!.parameters).toEqual([
      { name: "thing_id", in: "path", required: true, schema: { type: "integer" } },
      { name: "dry_run", in: "query", required: false, schema: { type: "boolean" } },
    ]);
  });

  it("inlines the body schema, drops documentation keywords but not properties named like them, and cuts recursion", () => {
    expect(ops["things/update"]!.requestBody).toEqual({
      required: true,
      schema: {
        type: "object",
        additionalProperties: false,
        properties: {
          description: { type: "string" },
          parent: { "x-circular": "#/components/schemas/thing" },
          tags: { type: "array", items: { type: "string" } },
        },
        required: ["description"],
      },
    });
  });

  it("keeps only the required fields of the success response", () => {
    expect(ops["things/update"]!.response).toEqual({
      type: "object",
      required: ["description"],
      properties: { description: { type: "string" } },
    });
  });

  it("fails naming operations the description lacks", () => {
    expect(() => extractOperations(doc, ["things/update", "things/delete"])).toThrow("operations not in the description: things/delete");
  });
});

describe("the committed fixture", () => {
  const fixture = JSON.parse(readFileSync(new URL("../fixtures/github-openapi/operations.json", import.meta.url), "utf8")) as {
    package: string;
    version: string;
    file: string;
    openapi: string;
    extractedAt: string;
    operations: Record<string, { method: string; path: string }>;
  };

  it("records where it came from", () => {
    expect(fixture.package).toBe("@octokit/openapi");
    expect(fixture.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(fixture.file).toBe("generated/api.github.com.json");
    expect(fixture.openapi).toMatch(/^3\./);
    expect(Number.isNaN(Date.parse(fixture.extractedAt))).toBe(false);
  });

  it("holds every operation the extraction script lists", () => {
    for (const id of OPERATION_IDS) expect(fixture.operations[id], id).toBeDefined();
    expect(fixture.operations["checks/create"]).toMatchObject({ method: "POST", path: "/repos/{owner}/{repo}/check-runs" });
  });
});
