import { describe, expect, it } from "vitest";
import { pointTfServing, setTritonPolicy, tritonPolicy, tritonServed } from "../../src/targets/serving-config.ts";
import { parseTextProto, stringValue, TextProtoError } from "../../src/targets/text-proto.ts";

describe("protobuf text format: field spans", () => {
  it("reads the forms Triton configs use: lists of messages without a colon, <> messages, extensions, strings with braces", () => {
    const text = `name: 'm' "x"  # a comment with { braces
input [ { name: "a}" dims: [ -1, 3 ] }, { name: "b" } ]
version_policy < latest { num_versions: 2 } >;
[ext.field]: 1.5e3
dynamic_batching { }
`;
    const fields = parseTextProto(text);
    expect(fields.map((f) => f.name)).toEqual(["name", "input", "version_policy", "[ext.field]", "dynamic_batching"]);
    expect(stringValue(fields[0]!.value)).toBe("mx");
    expect(text.slice(fields[2]!.start, fields[2]!.end)).toBe("version_policy < latest { num_versions: 2 } >");
    expect(tritonServed(text, [1, 2, 3])).toEqual([3, 2]);
  });

  it("reports where a file stops being text format", () => {
    expect(() => parseTextProto('name: "m"\nversion_policy: { specific { versions: [1 }')).toThrow(
      new TextProtoError("expected `,` or `]` in a list", 2),
    );
    expect(() => parseTextProto('name "m"')).toThrow("line 1: expected `:` or `{` after name");
  });

  it("replaces version_policy in any of its spellings and refuses two of them", () => {
    for (const policy of [
      "version_policy { all {} }",
      "version_policy: { latest: { num_versions: 1 } }",
      "version_policy <specific <versions: 4>>",
    ]) {
      const text = `name: "m"\n${policy}  # keep this comment\nmax_batch_size: 8\n`;
      expect(setTritonPolicy(text, tritonPolicy(9))).toEqual({
        text: `name: "m"\n${tritonPolicy(9)}  # keep this comment\nmax_batch_size: 8\n`,
        previous: policy,
      });
    }
    expect(() => setTritonPolicy("version_policy { all {} }\nversion_policy { all {} }\n", tritonPolicy(1))).toThrow(
      "version_policy appears more than once",
    );
    expect(setTritonPolicy('name: "m"\nversion_policy { all {} }  # x\n', null).text).toBe('name: "m"\n');
  });

  it("refuses a model.config with the list form or other top-level fields", () => {
    expect(() => pointTfServing('model_config_list { config: [ { name: "m" } ] }', "m", "/m", 1)).toThrow(/list form/);
    expect(() => pointTfServing("custom_model_config { }", "m", "/m", 1)).toThrow(
      /has custom_model_config; expected only model_config_list/,
    );
    expect(() => pointTfServing('model_config_list { config { name: "m" } config { name: "m" } }', "m", "/m", 1)).toThrow(
      /2 entries named "m"/,
    );
  });
});
