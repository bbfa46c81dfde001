import { PII_KINDS, type PiiKind } from "@llmops/core";
import { describe, expect, it } from "vitest";
import { cardScheme, findPii, ibanChecksumValid, ibanValid, luhnValid, maskPii, redactPii } from "../../src/index.ts";
import { reference } from "./reference.ts";

const ALL: ReadonlySet<PiiKind> = new Set(PII_KINDS);
const found = (text: string) => findPii(text, ALL).map((m) => [m.kind, text.slice(m.start, m.end)]);

describe("Luhn (ISO/IEC 7812-1 Annex B)", () => {
  it("accepts Wikipedia's worked example and rejects its other check digits", () => {
    // Wikipedia, "Luhn algorithm": 7992739871 has check digit 3.
    expect(luhnValid("79927398713")).toBe(true);
    for (const d of "012456789") expect(luhnValid(`7992739871${d}`)).toBe(false);
  });

  it("accepts the card networks' published test numbers", () => {
    // Test card numbers published by the networks' gateways (Stripe and PayPal sandbox documentation).
    const cards: [string, string][] = [
      ["4111111111111111", "visa"],
      ["4012888888881881", "visa"],
      ["5555555555554444", "mastercard"],
      ["5105105105105100", "mastercard"],
      ["2223003122003222", "mastercard"],
      ["378282246310005", "amex"],
      ["371449635398431", "amex"],
      ["6011111111111117", "discover"],
      ["6011000990139424", "discover"],
      ["3530111333300000", "jcb"],
      ["3566002020360505", "jcb"],
      ["30569309025904", "diners"],
      ["38520000023237", "diners"],
    ];
    for (const [number, scheme] of cards) {
      expect(luhnValid(number), number).toBe(true);
      expect(cardScheme(number), number).toBe(scheme);
    }
  });

  it("agrees with a Python implementation written from the spec on 300 random digit strings", () => {
    for (const [digits, valid] of reference.luhn) expect(luhnValid(digits), digits).toBe(valid);
  });
});

describe("IBAN (ISO 13616, MOD 97-10)", () => {
  // Examples of the Wikipedia article "International Bank Account Number" (and ISO 13616's GB82 WEST),
  // each confirmed valid by Python's big-integer mod 97 (fixtures/make-fixtures.py's rule).
  const examples = [
    "BE71 0961 2345 6769",
    "BR15 0000 0000 0000 1093 2840 814 P2",
    "FI14 1009 3000 1234 58",
    "FR76 3000 6000 0112 3456 7890 189",
    "DE91 1000 0000 0123 4567 89",
    "GR96 0810 0010 0000 0123 4567 890",
    "MU43 BOMM 0101 1234 5678 9101 000 MUR",
    "PK70 BANK 0000 1234 5678 9000",
    "PL10 1050 0099 7603 1234 5678 9123",
    "RO09 BCYP 0000 0012 3456 7890",
    "LC14 BOSL 1234 5678 9012 3456 7890 1234",
    "SA44 2000 0001 2345 6789 1234",
    "ES79 2100 0813 6101 2345 6789",
    "CH56 0483 5012 3456 7800 9",
    "GB98 MIDL 0700 9312 3456 78",
    "GB82 WEST 1234 5698 7654 32",
    "DE89 3704 0044 0532 0130 00",
  ];

  it("accepts the published examples, written with or without spaces, and finds them in text", () => {
    for (const iban of examples) {
      const compact = iban.replace(/ /g, "");
      expect(ibanValid(compact), iban).toBe(true);
      expect(found(`pay to ${iban}, thanks`), iban).toEqual([["iban", iban]]);
      expect(found(`pay to ${compact}.`), iban).toEqual([["iban", compact]]);
    }
  });

  it("rejects a changed digit, swapped digits and a wrong length", () => {
    expect(ibanValid("GB82WEST12345698765433")).toBe(false);
    expect(ibanValid("GB82WEST12345698765423")).toBe(false);
    expect(ibanValid("GB82WEST1234569876543")).toBe(false);
    // A valid checksum in a country the registry does not list is not an IBAN.
    const foreign = reference.mod97.find(([text, valid]) => text.startsWith("XX") && valid)![0];
    expect(ibanChecksumValid(foreign)).toBe(true);
    expect(ibanValid(foreign)).toBe(false);
    expect(found("GB82 WEST 1234 5698 7654 33")).toEqual([]);
  });

  it("computes MOD 97-10 as Python's big integers do on 300 random strings", () => {
    for (const [text, valid] of reference.mod97) expect(ibanChecksumValid(text), text).toBe(valid);
  });
});

describe("findPii", () => {
  it("finds e-mail addresses and not things that only look like them", () => {
    expect(found("write to john.doe+tag@mail.example.co.uk or JANE@example.org.")).toEqual([
      ["email", "john.doe+tag@mail.example.co.uk"],
      ["email", "JANE@example.org"],
    ]);
    expect(found("@mention, a@b, user@localhost, x@y.z1, foo@@bar.com")).toEqual([]);
  });

  it("finds cards only when Luhn-valid with a known issuer prefix", () => {
    expect(found("card 4111 1111 1111 1111 exp 12/30")).toEqual([["credit-card", "4111 1111 1111 1111"]]);
    expect(found("card 4111-1111-1111-1111")).toEqual([["credit-card", "4111-1111-1111-1111"]]);
    expect(found("order 4111111111111112 and 1234567890123452")).toEqual([]);
    expect(found("mixed 4111 1111-1111 1111")).toEqual([]);
  });

  it("finds IPv4 and IPv6 addresses but not versions, times or scopes", () => {
    expect(found("from 192.168.1.10 and 2001:db8::ff00:42:8329 and fe80::1")).toEqual([
      ["ip-address", "192.168.1.10"],
      ["ip-address", "2001:db8::ff00:42:8329"],
      ["ip-address", "fe80::1"],
    ]);
    expect(found("v1.2.3.4.5, 10.0.0.256, 12:30:45, 12:30::, std::vector, ::1")).toEqual([]);
  });

  it("finds phone numbers written as people write them, not dates or plain numbers", () => {
    expect(found("call +1 202 555 0143, (202) 555-0143, 202.555.0143 or 030 1234567")).toEqual([
      ["phone", "+1 202 555 0143"],
      ["phone", "(202) 555-0143"],
      ["phone", "202.555.0143"],
      ["phone", "030 1234567"],
    ]);
    expect(found("on 2024-06-01 at 10:30, 1234 items, id 20240601123")).toEqual([]);
  });

  it("finds API-key-shaped secrets and not prose", () => {
    const keys = [
      "sk-proj-abc123DEF456ghi789JKL012mno",
      "sk-ant-api03-AbCdEfGh12345678IjKlMnOp",
      "ghp_0123456789abcdefghijABCDEFGHIJ012345",
      "AKIAIOSFODNN7EXAMPLE",
      "xoxb-1234567890-abcdefghij",
      "AIzaSyA1234567890abcdefghijklmnopqrstuv",
      "hf_abcdefghijklmnopqrstuvwxyz01234567",
      "-----BEGIN RSA PRIVATE KEY-----",
    ];
    for (const key of keys) expect(found(`token: ${key} end`), key).toEqual([["secret", key]]);
    expect(found("the task-management-system-for-teams and sk-learning-is-fun-for-everyone")).toEqual([]);
  });

  it("counts each span once, by precedence (an IBAN's digits are not also a phone number)", () => {
    expect(found("DE89 3704 0044 0532 0130 00").map(([kind]) => kind)).toEqual(["iban"]);
    expect(found("mail a.b@example.com").map(([kind]) => kind)).toEqual(["email"]);
  });

  it("stays linear on hostile strings (each finishes; a backtracking pattern would not)", () => {
    const hostile = [
      `${"a".repeat(1_000_000)}@`,
      "1 ".repeat(500_000),
      `${":".repeat(500_000)}${"a:".repeat(100_000)}`,
      `${"0.".repeat(500_000)}1`,
      `sk-${"a1".repeat(500_000)}`,
      `eyJ${"a".repeat(100_000)}.eyJ${"b".repeat(100_000)}`,
    ];
    for (const text of hostile) expect(Array.isArray(findPii(text, ALL))).toBe(true);
  });
});

describe("masking and redaction", () => {
  it("masks without revealing the value", () => {
    expect(maskPii("email", "john.doe@example.com")).toBe("j***@***.com");
    expect(maskPii("credit-card", "4111 1111 1111 1111")).toBe("************1111");
    expect(maskPii("iban", "GB82 WEST 1234 5698 7654 32")).toBe("GB****************5432");
    expect(maskPii("secret", "ghp_0123456789abcdefghijABCDEFGHIJ012345")).toBe("ghp_… (40 characters)");
    expect(maskPii("ip-address", "192.168.1.10")).toBe("192.*.*.*");
  });

  it("replaces every match with its placeholder, and a string still matching becomes <REDACTED>", () => {
    expect(redactPii("mail a@example.com, card 4111111111111111", ALL)).toBe("mail <EMAIL>, card <CREDIT_CARD>");
    // A forced match list that misses a second address: the re-scan catches it.
    const text = "a@example.com b@example.com";
    expect(redactPii(text, ALL, [{ kind: "email", start: 0, end: 13 }])).toBe("<REDACTED>");
  });
});
