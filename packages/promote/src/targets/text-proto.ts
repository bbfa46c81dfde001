/**
 * Protocol-buffer text format (Triton's `config.pbtxt`, TF Serving's `model.config`), read just far
 * enough to know where each field starts and ends, so a target can rewrite one field and leave
 * every other byte of the file (comments, order, spacing) as its author wrote it.
 *
 * Grammar followed (protobuf "Text Format Language Specification"): `#` comments to the end of the
 * line; fields `name: scalar`, `name: [v, …]`, `name { … }` / `name: { … }` / `name < … >`;
 * extension and Any names in `[…]`; optional `,` or `;` after a field; adjacent string literals
 * concatenate.
 */

export type TextValue =
  | { kind: "scalar"; raw: string; start: number; end: number }
  /** `open` is the index of `{` or `<`, `close` the index of the matching `}` or `>`; `end` = close + 1. */
  | { kind: "message"; fields: TextField[]; start: number; end: number; open: number; close: number }
  | { kind: "list"; items: TextValue[]; start: number; end: number };

export interface TextField {
  name: string;
  /** Offset of the field's name. */
  start: number;
  /** Offset just past its value (a trailing `,` or `;` is not included). */
  end: number;
  value: TextValue;
}

/** A file that is not protobuf text format; `line` is 1-based. */
export class TextProtoError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = "TextProtoError";
    this.line = line;
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const BARE = /[-+]?[A-Za-z0-9_.+-]+/y;

export function parseTextProto(text: string): TextField[] {
  let pos = 0;
  const lineAt = (offset: number) => text.slice(0, offset).split("\n").length;
  const fail = (message: string, at = pos): never => {
    throw new TextProtoError(message, lineAt(at));
  };
  const skip = () => {
    for (;;) {
      const c = text[pos];
      if (c === undefined) return;
      if (c === "#") {
        const nl = text.indexOf("\n", pos);
        pos = nl < 0 ? text.length : nl + 1;
      } else if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") pos++;
      else return;
    }
  };
  const readName = (): string => {
    if (text[pos] === "[") {
      const close = text.indexOf("]", pos);
      if (close < 0) fail("unclosed `[` in a field name");
      const name = text.slice(pos, close + 1);
      pos = close + 1;
      return name;
    }
    NAME.lastIndex = pos;
    const match = NAME.exec(text);
    if (!match) fail(`expected a field name, found ${JSON.stringify(text.slice(pos, pos + 12))}`);
    pos += match![0].length;
    return match![0];
  };
  const readString = () => {
    const quote = text[pos];
    let i = pos + 1;
    while (i < text.length && text[i] !== quote) {
      if (text[i] === "\n") fail("unterminated string", pos);
      i += text[i] === "\\" ? 2 : 1;
    }
    if (i >= text.length) fail("unterminated string", pos);
    pos = i + 1;
  };
  const readScalar = (): TextValue => {
    const start = pos;
    const c = text[pos];
    if (c === '"' || c === "'") {
      readString();
      for (;;) {
        const save = pos;
        skip();
        if (text[pos] === '"' || text[pos] === "'") readString();
        else {
          pos = save;
          break;
        }
      }
    } else {
      BARE.lastIndex = pos;
      const match = BARE.exec(text);
      if (!match) fail(`expected a value, found ${JSON.stringify(text.slice(pos, pos + 12))}`);
      pos += match![0].length;
    }
    return { kind: "scalar", raw: text.slice(start, pos), start, end: pos };
  };
  const readMessage = (): TextValue => {
    const open = pos;
    const closer = text[pos] === "<" ? ">" : "}";
    pos++;
    const fields = readFields(closer);
    const close = pos;
    pos++;
    return { kind: "message", fields, start: open, end: pos, open, close };
  };
  const readList = (): TextValue => {
    const start = pos;
    pos++;
    const items: TextValue[] = [];
    skip();
    if (text[pos] === "]") {
      pos++;
      return { kind: "list", items, start, end: pos };
    }
    for (;;) {
      skip();
      items.push(text[pos] === "{" || text[pos] === "<" ? readMessage() : readScalar());
      skip();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "]") {
        pos++;
        return { kind: "list", items, start, end: pos };
      }
      fail("expected `,` or `]` in a list");
    }
  };
  const readFields = (closer: string | undefined): TextField[] => {
    const fields: TextField[] = [];
    for (;;) {
      skip();
      if (pos >= text.length) {
        if (closer) fail(`expected \`${closer}\` before the end of the file`);
        return fields;
      }
      if (text[pos] === closer) return fields;
      const start = pos;
      const name = readName();
      skip();
      let colon = false;
      if (text[pos] === ":") {
        colon = true;
        pos++;
        skip();
      }
      let value: TextValue;
      // A message, or a list (of messages when there is no colon: `input [ { … } ]`), or a scalar.
      if (text[pos] === "{" || text[pos] === "<") value = readMessage();
      else if (text[pos] === "[") value = readList();
      else if (!colon) value = fail(`expected \`:\` or \`{\` after ${name}`);
      else value = readScalar();
      fields.push({ name, start, end: value.end, value });
      const save = pos;
      skip();
      if (text[pos] === "," || text[pos] === ";") pos++;
      else pos = save;
    }
  };
  return readFields(undefined);
}

/** The value of a string scalar (adjacent literals joined, escapes decoded); undefined for non-strings. */
export function stringValue(value: TextValue | undefined): string | undefined {
  if (value?.kind !== "scalar" || !/^["']/.test(value.raw)) return undefined;
  let out = "";
  const raw = value.raw;
  let i = 0;
  while (i < raw.length) {
    const quote = raw[i];
    if (quote !== '"' && quote !== "'") {
      i++;
      continue;
    }
    i++;
    while (i < raw.length && raw[i] !== quote) {
      if (raw[i] !== "\\") {
        out += raw[i++];
        continue;
      }
      const e = raw[i + 1] ?? "";
      const simple: Record<string, string> = {
        n: "\n",
        t: "\t",
        r: "\r",
        a: "\x07",
        b: "\b",
        f: "\f",
        v: "\v",
        "\\": "\\",
        "'": "'",
        '"': '"',
        "?": "?",
      };
      if (e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === "x") {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 2))?.[0] ?? "";
        out += String.fromCharCode(Number.parseInt(hex || "0", 16));
        i += 2 + hex.length;
      } else if (/[0-7]/.test(e)) {
        const oct = /^[0-7]{1,3}/.exec(raw.slice(i + 1))?.[0] ?? "0";
        out += String.fromCharCode(Number.parseInt(oct, 8));
        i += 1 + oct.length;
      } else {
        out += e;
        i += 2;
      }
    }
    i++;
  }
  return out;
}

/** A string literal in text format. */
export function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Integers of a scalar or a list of scalars (`versions: 3` or `versions: [1, 3]`). */
export function integers(value: TextValue): number[] {
  const scalars = value.kind === "list" ? value.items : [value];
  return scalars.filter((v) => v.kind === "scalar" && /^\d+$/.test(v.raw)).map((v) => Number((v as { raw: string }).raw));
}

export function fieldsNamed(fields: readonly TextField[], name: string): TextField[] {
  return fields.filter((f) => f.name === name);
}

export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (offsets into the original text). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** The indentation of the line holding `offset`. */
export function indentAt(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? "";
}

/**
 * The edit that removes a field: its whole line (with a trailing separator and comment) when it
 * stands alone on it, else just the field and its separator.
 */
export function removeField(text: string, field: TextField): TextEdit {
  const lineStart = text.lastIndexOf("\n", field.start - 1) + 1;
  const newline = text.indexOf("\n", field.end);
  const lineEnd = newline < 0 ? text.length : newline + 1;
  if (text.slice(lineStart, field.start).trim() === "" && /^[ \t]*[,;]?[ \t]*(#.*)?\r?\n?$/.test(text.slice(field.end, lineEnd))) {
    return { start: lineStart, end: lineEnd, text: "" };
  }
  const sep = /^[ \t]*[,;]?/.exec(text.slice(field.end))?.[0] ?? "";
  return { start: field.start, end: field.end + sep.length, text: "" };
}

/** The edit that adds `line` (one field, possibly multi-line, unindented) as the last field of a message. */
export function appendField(text: string, message: Extract<TextValue, { kind: "message" }>, line: string): TextEdit {
  const first = message.fields[0];
  const indent = first ? indentAt(text, first.start) : `${indentAt(text, message.close)}  `;
  const body = line.replace(/\n/g, `\n${indent}`);
  const inner = text.slice(message.open + 1, message.close);
  if (inner.trim() === "") {
    return { start: message.open + 1, end: message.close, text: `\n${indent}${body}\n${indentAt(text, message.close)}` };
  }
  let at = message.close;
  while (at > message.open + 1 && /\s/.test(text[at - 1] ?? "")) at--;
  // After a trailing comment the new field still needs its own line.
  return { start: at, end: at, text: `\n${indent}${body}` };
}
