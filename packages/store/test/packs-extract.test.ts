import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { extractFromPack, type PackSource, type WantedFile } from "../src/packs/extract.ts";
import type { IndexEntry } from "../src/packs/file-index.ts";
import { TAR_END, tarHeader } from "../src/packs/tar.ts";

const hex = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** A pack of three files and its index entries, built by hand. */
function pack() {
  const parts: Buffer[] = [];
  const members: IndexEntry[] = [];
  let at = 0;
  for (const [i, path] of ["a.txt", "b.txt", "c.txt"].entries()) {
    const data = Buffer.alloc(1000, 97 + i);
    const header = tarHeader(path, data.length, 0o644);
    const padded = Buffer.alloc(1024);
    data.copy(padded);
    members.push({ path, size: data.length, sha256: hex(data), mode: 0o644, pack: 0, offset: at + header.length });
    parts.push(header, padded);
    at += header.length + padded.length;
  }
  parts.push(TAR_END);
  const bytes = Buffer.concat(parts);
  return { bytes, members, pack: { digest: `sha256:${hex(bytes)}`, size: bytes.length } };
}

const options = (members: IndexEntry[], written: string[]) => ({
  what: (p: string) => `file ${p}`,
  packWhat: "pack",
  members,
  ranges: true,
  write: (f: WantedFile) => {
    written.push(f.entry.path);
  },
});

describe("extractFromPack range reads", () => {
  it("asks a range cut off mid-way again from the first file not yet written, writing each file once", async () => {
    const { bytes, members, pack: p } = pack();
    const calls: [number, number][] = [];
    const source: PackSource = {
      open: async () => Readable.from([bytes]),
      openRange: async (start, end) => {
        calls.push([start, end]);
        if (calls.length === 1) {
          // The first file and half the second, then the connection drops.
          const cut = members[1]!.offset! + 500;
          const stream = new Readable({ read() {} });
          stream.push(bytes.subarray(start, cut));
          setImmediate(() => stream.destroy(new Error("socket hang up")));
          return { stream, start };
        }
        return { stream: Readable.from([bytes.subarray(start, end)]), start };
      },
    };
    const written: string[] = [];
    const wanted = members.map((entry) => ({ entry: entry as IndexEntry & { offset: number } }));
    await extractFromPack(p, wanted, source, options(members, written));
    expect(written).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(calls).toHaveLength(2);
    expect(calls[1]![0]).toBe(members[1]!.offset);
  });

  it("counts only the bytes used when a server answers a range with more than was asked", async () => {
    const { bytes, members, pack: p } = pack();
    const source: PackSource = {
      open: async () => Readable.from([bytes]),
      // An oversized 206: from the start asked for to the end of the pack.
      openRange: async (start) => ({ stream: Readable.from([bytes.subarray(start)]), start }),
    };
    const written: string[] = [];
    const one = members[1]!;
    const read = await extractFromPack(p, [{ entry: one as IndexEntry & { offset: number } }], source, options(members, written));
    expect(written).toEqual(["b.txt"]);
    expect(read).toBe(one.size);
  });
});
