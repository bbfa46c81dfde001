import { describe, expect, it } from "vitest";
import { identifyLanguage } from "../../src/drift/language.ts";

// What the identifier can tell, as its module comment documents: each case is a claim made there.
describe("identifyLanguage", () => {
  it.each([
    ["The battery died after a week and the screen is too dark.", "en"],
    ["Der Akku ist nach einer Woche leer und das Display ist zu dunkel.", "de"],
    ["La batterie est morte après une semaine et l'écran est trop sombre.", "fr"],
    ["La batería murió después de una semana y la pantalla es muy oscura.", "es"],
    ["La batteria è morta dopo una settimana e lo schermo è molto scuro.", "it"],
    ["A bateria morreu depois de uma semana e a tela é muito escura.", "pt"],
    ["De batterij is na een week leeg en het scherm is te donker.", "nl"],
  ])("tells Latin-script stopword languages: %s", (text, label) => {
    expect(identifyLanguage(text)).toBe(label);
  });

  it.each([
    ["Батарея разрядилась через неделю, экран слишком тёмный.", "ru"],
    ["Батарея розрядилася через тиждень, і екран дуже темний.", "uk"],
    ["Батерията се изтощи за седмица.", "cyrillic"],
    ["Η μπαταρία άδειασε μετά από μια εβδομάδα.", "el"],
    ["הסוללה נגמרה אחרי שבוע.", "he"],
    ["انتهت البطارية بعد أسبوع.", "arabic"],
    ["बैटरी एक हफ्ते में खत्म हो गई।", "devanagari"],
    ["แบตเตอรี่หมดหลังจากหนึ่งสัปดาห์", "th"],
    ["배터리가 일주일 만에 닳았어요.", "ko"],
    ["バッテリーが一週間で切れました。", "ja"],
    ["电池一周后就没电了。", "zh"],
    ["ბატარეა ერთ კვირაში დაჯდა.", "ka"],
    ["Մարտկոցը մեկ շաբաթում նստեց։", "hy"],
  ])("tells scripts, and languages where the script does: %s", (text, label) => {
    expect(identifyLanguage(text)).toBe(label);
  });

  it("says latin when it cannot tell, none without letters, other for another script", () => {
    expect(identifyLanguage("Great product")).toBe("latin");
    expect(identifyLanguage("Bateria wyczerpała się po tygodniu.")).toBe("latin");
    expect(identifyLanguage("12345 !!! 🙂")).toBe("none");
    expect(identifyLanguage("")).toBe("none");
    expect(identifyLanguage("ᚠᚢᚦᚨᚱᚲ")).toBe("other");
    // A Latin text quoting one katakana word stays Latin.
    expect(identifyLanguage("I bought the new model called テスト and the battery is bad")).toBe("en");
  });
});
