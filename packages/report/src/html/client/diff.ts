/**
 * A word diff of two outputs: Myers' O(ND) algorithm ("An O(ND) Difference Algorithm and Its
 * Variations", 1986) over word, space and punctuation tokens, after the common prefix and suffix
 * are set aside. It is written here because the small, maintained diff libraries (jsdiff, fast-diff)
 * are not dependencies of this repository and the page needs only this much. The trace kept for
 * the backtrack grows with the square of the edit distance, so outputs further apart than
 * `maxEdits` tokens are reported as wholly replaced instead.
 */

/** -1: only in the first text (removed), 0: in both, 1: only in the second (added). */
export type DiffOp = -1 | 0 | 1;

export interface DiffPart {
  op: DiffOp;
  text: string;
}

export interface DiffOptions {
  /** Most edits (inserted plus removed tokens) searched for; default 1,000. */
  maxEdits?: number;
  /** Most tokens (both texts) diffed at all; default 40,000. */
  maxTokens?: number;
}

/** Words (letters, digits, `_`), runs of whitespace, and single other characters. */
export function tokenize(text: string): string[] {
  return text.match(/[\p{L}\p{M}\p{N}_]+|\s+|[^\p{L}\p{M}\p{N}_\s]/gu) ?? [];
}

function push(parts: DiffPart[], op: DiffOp, text: string): void {
  if (text === "") return;
  const last = parts[parts.length - 1];
  if (last && last.op === op) last.text += text;
  else parts.push({ op, text });
}

/**
 * The shortest edit script turning `a` into `b` (token ids), as ops in order; undefined when it
 * needs more than `maxEdits` edits.
 */
function myers(a: Int32Array, b: Int32Array, maxEdits: number): DiffOp[] | undefined {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(n + m, maxEdits);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  // trace[d] holds v[-d..d] as it was before round d.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= limit; d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))
          ? (v[offset + k + 1] as number)
          : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], n: number, m: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const at = (k: number) => v[k + d] as number;
    const k = x - y;
    const previousK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const previousX = at(previousK);
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push(0);
      x--;
      y--;
    }
    ops.push(x === previousX ? 1 : -1);
    x = previousX;
    y = previousY;
  }
  while (x > 0 && y > 0) {
    ops.push(0);
    x--;
    y--;
  }
  return ops.reverse();
}

/** The parts of a token-level diff of `a` and `b`: concatenating ops 0 and -1 gives `a`, ops 0 and 1 give `b`. */
export function diffWords(a: string, b: string, options: DiffOptions = {}): DiffPart[] {
  if (a === b) return a === "" ? [] : [{ op: 0, text: a }];
  const ta = tokenize(a);
  const tb = tokenize(b);
  let start = 0;
  while (start < ta.length && start < tb.length && ta[start] === tb[start]) start++;
  let endA = ta.length;
  let endB = tb.length;
  while (endA > start && endB > start && ta[endA - 1] === tb[endB - 1]) {
    endA--;
    endB--;
  }
  const parts: DiffPart[] = [];
  push(parts, 0, ta.slice(0, start).join(""));
  const middleA = ta.slice(start, endA);
  const middleB = tb.slice(start, endB);
  const ops =
    middleA.length + middleB.length <= (options.maxTokens ?? 40_000)
      ? (() => {
          const ids = new Map<string, number>();
          const intern = (tokens: string[]) =>
            Int32Array.from(tokens, (t) => {
              let id = ids.get(t);
              if (id === undefined) {
                id = ids.size;
                ids.set(t, id);
              }
              return id;
            });
          return myers(intern(middleA), intern(middleB), options.maxEdits ?? 1000);
        })()
      : undefined;
  if (!ops) {
    push(parts, -1, middleA.join(""));
    push(parts, 1, middleB.join(""));
  } else {
    // Between two shared stretches, everything removed comes before everything added.
    let removed = "";
    let added = "";
    const flush = () => {
      push(parts, -1, removed);
      push(parts, 1, added);
      removed = "";
      added = "";
    };
    let i = 0;
    let j = 0;
    for (const op of ops) {
      if (op === 0) {
        flush();
        push(parts, 0, middleA[i++] as string);
        j++;
      } else if (op === -1) removed += middleA[i++] as string;
      else added += middleB[j++] as string;
    }
    flush();
  }
  push(parts, 0, ta.slice(endA).join(""));
  return parts;
}

/** Whether the diff found shared text in the middle, or only replaced one text by the other. */
export function diffIsUseful(parts: readonly DiffPart[]): boolean {
  return parts.some((p) => p.op === 0 && p.text.trim() !== "");
}
