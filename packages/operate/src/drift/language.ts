/**
 * A small, dependency-free language identifier for the language-mix drift test. It is meant to
 * notice that production traffic now holds (much) more of some language than the reference did,
 * not to label single texts reliably. Exactly what it can tell, from the first 2,000 characters:
 *
 * 1. No letters at all (digits, emoji, punctuation, empty): `none`.
 * 2. The script most letters belong to decides, where a script essentially means one language:
 *    Hangul `ko`; Hiragana or Katakana (with or without Han) `ja`; Han alone `zh` (Chinese, or
 *    Japanese written in kanji only); Greek `el`; Hebrew `he`; Thai `th`; Georgian `ka`;
 *    Armenian `hy`. Scripts shared by many languages are named, not guessed: Arabic script
 *    `arabic` (Arabic, Persian, Urdu …), Devanagari `devanagari` (Hindi, Marathi, Nepali …).
 *    A letter of any other script makes `other`.
 * 3. Cyrillic: `uk` when it has one of і ї є ґ, `ru` when it has ы or э (and none of those),
 *    else `cyrillic`. Belarusian (і and ы) reads as `uk`; Bulgarian, Serbian, Macedonian (none of
 *    these letters) as `cyrillic`.
 * 4. Latin: the stopword profile with the most hits among English `en`, German `de`, French `fr`,
 *    Spanish `es`, Italian `it`, Portuguese `pt` and Dutch `nl`, when it has at least two hits and
 *    strictly more than any other profile; otherwise `latin` (too short, a tie, another language
 *    such as Polish or Turkish, or no stopwords: product names, code).
 */

export const LANGUAGE_LABELS = [
  "en",
  "de",
  "fr",
  "es",
  "it",
  "pt",
  "nl",
  "latin",
  "ru",
  "uk",
  "cyrillic",
  "el",
  "he",
  "arabic",
  "devanagari",
  "th",
  "ka",
  "hy",
  "ko",
  "ja",
  "zh",
  "other",
  "none",
] as const;
export type LanguageLabel = (typeof LANGUAGE_LABELS)[number];

const SCAN_CHARS = 2_000;

const STOPWORDS: Record<"en" | "de" | "fr" | "es" | "it" | "pt" | "nl", string> = {
  en: "the and of to is in that it was for with you this not are but have be on they he she my we at what from an or would i",
  de: "der die und das ist nicht ich es sie ein eine zu den mit auf dem sich auch für von war aber wir noch nach wie bei oder sehr kein",
  fr: "le la les et est un une des du pas que je il elle ce cette pour avec dans sur mais nous vous très qui au aux ne ça",
  es: "el la los las y es un una que de no en por con para muy pero lo se su del al como más está yo este esta fue mi",
  it: "il la le lo gli e è un una che di non per con sono ma molto questo questa del della mi ho anche come più nel alla si era",
  pt: "o a os as e é um uma que de não em por com para muito mas do da no na se seu sua foi eu este esta isso mais",
  nl: "de het een en is niet ik dat die van te zijn op met voor maar heel ook er was je we dit wel nog geen naar bij om hij",
};
const PROFILES = Object.entries(STOPWORDS).map(([label, words]) => ({ label: label as LanguageLabel, words: new Set(words.split(" ")) }));

type Script =
  | "latin"
  | "cyrillic"
  | "greek"
  | "hebrew"
  | "arabic"
  | "devanagari"
  | "thai"
  | "georgian"
  | "armenian"
  | "hangul"
  | "kana"
  | "han"
  | "other";

const SCRIPTS: [Script, RegExp][] = [
  ["latin", /\p{Script=Latin}/u],
  ["cyrillic", /\p{Script=Cyrillic}/u],
  ["greek", /\p{Script=Greek}/u],
  ["hebrew", /\p{Script=Hebrew}/u],
  ["arabic", /\p{Script=Arabic}/u],
  ["devanagari", /\p{Script=Devanagari}/u],
  ["thai", /\p{Script=Thai}/u],
  ["georgian", /\p{Script=Georgian}/u],
  ["armenian", /\p{Script=Armenian}/u],
  ["hangul", /\p{Script=Hangul}/u],
  ["kana", /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
  ["han", /\p{Script=Han}/u],
];
const LETTER = /\p{L}/u;

const BY_SCRIPT: Partial<Record<Script, LanguageLabel>> = {
  greek: "el",
  hebrew: "he",
  arabic: "arabic",
  devanagari: "devanagari",
  thai: "th",
  georgian: "ka",
  armenian: "hy",
  hangul: "ko",
  kana: "ja",
  han: "zh",
  other: "other",
};

function scriptOf(char: string): Script {
  for (const [script, pattern] of SCRIPTS) if (pattern.test(char)) return script;
  return "other";
}

/** The language (or script) label of one text; see the module comment for what each means. */
export function identifyLanguage(text: string): LanguageLabel {
  const head = text.length > SCAN_CHARS ? text.slice(0, SCAN_CHARS) : text;
  const counts = new Map<Script, number>();
  for (const char of head) {
    if (!LETTER.test(char)) continue;
    const script = scriptOf(char);
    counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  if (counts.size === 0) return "none";
  // Japanese mixes kana with Han (often more Han than kana): any kana makes CJK text Japanese, when
  // CJK letters are at least as many as Latin ones (a Latin text quoting one katakana word stays Latin).
  if ((counts.get("kana") ?? 0) > 0 && (counts.get("kana") ?? 0) + (counts.get("han") ?? 0) >= (counts.get("latin") ?? 0)) return "ja";
  let dominant: Script = "other";
  let most = -1;
  for (const [script, n] of counts) {
    if (n > most) {
      dominant = script;
      most = n;
    }
  }
  if (dominant === "latin") return latinLanguage(head);
  if (dominant === "cyrillic") {
    const lower = head.toLowerCase();
    if (/[іїєґ]/u.test(lower)) return "uk";
    if (/[ыэ]/u.test(lower)) return "ru";
    return "cyrillic";
  }
  return BY_SCRIPT[dominant] ?? "other";
}

function latinLanguage(text: string): LanguageLabel {
  const words = text.toLowerCase().match(/[\p{L}\p{M}]+/gu) ?? [];
  let best: LanguageLabel = "latin";
  let bestHits = 0;
  let runnerUp = 0;
  for (const { label, words: list } of PROFILES) {
    let hits = 0;
    for (const word of words) if (list.has(word)) hits++;
    if (hits > bestHits) {
      runnerUp = bestHits;
      bestHits = hits;
      best = label;
    } else if (hits > runnerUp) runnerUp = hits;
  }
  return bestHits >= 2 && bestHits > runnerUp ? best : "latin";
}
