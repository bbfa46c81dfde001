import { describe, expect, it } from "vitest";
import { columnSliceValues, selectRows, sliceValues } from "../../src/aggregate/aggregate.ts";
import { ResultColumns } from "../../src/aggregate/columns.ts";
import { summarizeRun } from "../../src/results/summary.ts";
import { row, scored } from "./rows.ts";

const exact = { name: "exact", type: "equals", weight: 1, higherIsBetter: true, scoreCase: async () => ({ score: 0, pass: false }) };

describe("ResultColumns", () => {
  it("keeps one typed array per field and grows past its first capacity", () => {
    const columns = new ResultColumns({ scorers: [exact], sliceKeys: ["lang"] });
    for (let i = 0; i < 1000; i++) {
      columns.add(
        scored(i, i % 4 === 0 ? {} : { exact: (i % 3) / 2 }, { tags: i % 5 ? { lang: `l${i % 3}` } : {}, cost: i % 2 ? null : i }),
      );
    }
    expect(columns.length).toBe(1000);
    expect(columns.latencyMs).toBeInstanceOf(Float64Array);
    expect(columns.pass).toBeInstanceOf(Uint8Array);
    expect(Array.from(columns.hasScore[0]!.subarray(0, 5))).toEqual([0, 1, 1, 1, 0]);
    expect(Array.from(columns.scores[0]!.subarray(1, 4))).toEqual([0.5, 1, 0]);
    expect(Array.from(columns.hasCost.subarray(0, 4))).toEqual([1, 0, 1, 0]);
    expect(columns.slices.get("lang")!.codes).toBeInstanceOf(Uint8Array);
    expect(columns.ordered).toBe(true);
  });

  it("codes a tag key in one byte, widening to two and four as it takes more values", () => {
    const rows = Array.from({ length: 70_000 }, (_, i) => row({ index: i, tags: { id: `v${i}`, half: i % 2 ? "odd" : "even" } }));
    const columns = ResultColumns.from(rows, { scorers: [], sliceKeys: ["id", "half"] });
    expect(columns.slices.get("id")!.codes).toBeInstanceOf(Uint32Array);
    expect(columns.slices.get("half")!.codes).toBeInstanceOf(Uint8Array);
    expect(columnSliceValues(columns, "id")).toEqual(sliceValues(rows, "id"));
    expect(Array.from(selectRows(columns, { id: "v300" }))).toEqual([300]);
    expect(Array.from(selectRows(columns, { id: "v69999", half: "odd" }))).toEqual([69_999]);
    expect(selectRows(columns, { id: "v1", half: "even" })).toHaveLength(0);
    expect(selectRows(columns, { id: "nowhere" })).toHaveLength(0);
    const small = ResultColumns.from(rows.slice(0, 300), { scorers: [], sliceKeys: ["id"] });
    expect(small.slices.get("id")!.codes).toBeInstanceOf(Uint16Array);
  });

  it("notices rows added out of case order, which a run summary refuses", () => {
    const columns = new ResultColumns({ scorers: [], sliceKeys: [] });
    columns.add(row({ index: 1 }));
    columns.add(row({ index: 0 }));
    expect(columns.ordered).toBe(false);
    const input = {
      suite: "s",
      suiteDigest: `sha256:${"0".repeat(64)}`,
      scorers: [],
      gates: [],
      sliceKeys: [],
      providers: [],
      startedAt: "",
      finishedAt: "",
      complete: true,
    };
    expect(() => summarizeRun({ ...input, columns })).toThrow("not in case order");
  });
});
