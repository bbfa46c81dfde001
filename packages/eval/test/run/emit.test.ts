import type { CaseResult } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { type RunTaskList, runTasks } from "../../src/run/runner.ts";
import type { RunTask } from "../../src/run/types.ts";
import { createRng } from "../../src/stats/index.ts";
import { delay, equalsScorer, fakeProvider, tasks } from "./helpers.ts";

/** Resolves when `check` holds, polling on timers (no wall-time assertion). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await delay(1);
}

describe("runTasks with emit (results streamed in task order)", () => {
  it("emits every result once, in task order, whatever the completion order, and keeps none", async () => {
    const rng = createRng(11);
    const provider = fakeProvider(async () => {
      await delay(Math.floor(rng() * 12));
      return undefined;
    });
    const emitted: CaseResult[] = [];
    const completed: number[] = [];
    const run = await runTasks({
      provider,
      tasks: tasks(80, 2),
      scorers: [equalsScorer],
      concurrency: 10,
      onResult: (r) => completed.push(r.index * 2 + r.repeat),
      emit: (r) => void emitted.push(r),
    });
    expect(run).toMatchObject({ results: [], finished: 160, complete: true });
    expect(emitted.map((r) => [r.index, r.repeat])).toEqual(tasks(80, 2).map((t) => [t.index, t.repeat]));
    expect(completed).not.toEqual([...completed].sort((a, b) => a - b));
    // Emitted results are the ones a run without emit returns.
    const plain = await runTasks({ provider: fakeProvider(), tasks: tasks(80, 2), scorers: [equalsScorer], concurrency: 10 });
    expect(emitted.map((r) => ({ ...r, latencyMs: 0 }))).toEqual(plain.results.map((r) => ({ ...r, latencyMs: 0 })));
  });

  it("does not start a task more than `reorderWindow` past the first unfinished one", async () => {
    let releaseFirst!: () => void;
    const first = new Promise<void>((resolve) => (releaseFirst = resolve));
    const provider = fakeProvider(async (request) => {
      if (request.vars.n === 0) await first;
      return undefined;
    });
    const emitted: number[] = [];
    let pending = 0;
    let peakPending = 0;
    const run = runTasks({
      provider,
      tasks: tasks(100),
      scorers: [],
      concurrency: 4,
      reorderWindow: 10,
      onResult: () => {
        pending++;
        peakPending = Math.max(peakPending, pending);
      },
      emit: (r) => {
        pending--;
        emitted.push(r.index);
      },
    });
    // Task 0 hangs: tasks 1..9 finish and wait in the buffer; task 10 is not started.
    await until(() => provider.calls.length >= 10);
    await delay(20);
    expect(provider.calls.map((c) => c.vars.n as number).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(emitted).toEqual([]);
    releaseFirst();
    const result = await run;
    expect(result.complete).toBe(true);
    expect(emitted).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(peakPending).toBeLessThanOrEqual(10);
  });

  it("waits for a slow emit before emitting more (backpressure) and still finishes in order", async () => {
    const emitted: number[] = [];
    let inEmit = 0;
    let overlapping = false;
    await runTasks({
      provider: fakeProvider(),
      tasks: tasks(50),
      scorers: [],
      concurrency: 8,
      reorderWindow: 8,
      emit: async (r) => {
        inEmit++;
        if (inEmit > 1) overlapping = true;
        await delay(r.index % 7 === 0 ? 3 : 0);
        emitted.push(r.index);
        inEmit--;
      },
    });
    expect(overlapping).toBe(false);
    expect(emitted).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("on abort emits what finished, gaps and all, in task order", async () => {
    const controller = new AbortController();
    let finished = 0;
    const provider = fakeProvider(async (request) => {
      // Task 3 never answers; the others finish around it.
      if (request.vars.n === 3) await new Promise<void>(() => {});
      await delay(1);
      return undefined;
    });
    const emitted: number[] = [];
    const run = await runTasks({
      provider,
      tasks: tasks(40),
      scorers: [],
      concurrency: 4,
      signal: controller.signal,
      onResult: () => {
        if (++finished === 12) controller.abort(new Error("interrupted"));
      },
      emit: (r) => void emitted.push(r.index),
    });
    expect(run.complete).toBe(false);
    expect(run.finished).toBe(emitted.length);
    expect(emitted).not.toContain(3);
    expect(emitted.slice(0, 3)).toEqual([0, 1, 2]);
    expect(emitted).toEqual([...emitted].sort((a, b) => a - b));
    expect(emitted.length).toBeGreaterThanOrEqual(12);
  });

  it("stops the run and rejects with the error when emit fails (e.g. the disk is full)", async () => {
    const provider = fakeProvider(async () => {
      await delay(1);
      return undefined;
    });
    await expect(
      runTasks({
        provider,
        tasks: tasks(200),
        scorers: [],
        concurrency: 4,
        emit: (r) => {
          if (r.index === 5) throw new Error("ENOSPC: no space left on device");
        },
      }),
    ).rejects.toThrow("ENOSPC");
    expect(provider.calls.length).toBeLessThan(200);
  });

  it("takes tasks from a list that makes them on demand", async () => {
    const made: number[] = [];
    const all = tasks(30);
    const list: RunTaskList = {
      length: all.length,
      at: (position: number): RunTask | undefined => {
        made.push(position);
        return all[position];
      },
    };
    const emitted: number[] = [];
    await runTasks({ provider: fakeProvider(), tasks: list, scorers: [], concurrency: 3, emit: (r) => void emitted.push(r.index) });
    expect(made).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(emitted).toEqual(made);
  });
});
