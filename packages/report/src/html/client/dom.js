// @ts-check
import { safeUrl } from "../../format.ts";

/**
 * Building the page's elements. Data only ever becomes text nodes or attribute values set with
 * setAttribute (never markup): nothing in a case can become an element, a script or a handler.
 * Links are made by `link`, which takes http(s) URLs only.
 *
 * The client modules that touch the DOM are JavaScript checked by TypeScript (`// @ts-check`,
 * JSDoc types) against the DOM library, in their own program (client/tsconfig.json, run by
 * scripts/generate-report-assets.ts): the workspace's program is for Node and has no DOM.
 */

/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Record<string, string | number | boolean | undefined>} Attributes */

/**
 * @param {Node} parent
 * @param {readonly (Child | readonly Child[])[]} children
 */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/**
 * An element with attributes (`true` sets an empty one; false and undefined set none) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes | null} [attributes]
 * @param {...(Child | readonly Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  if (attributes) {
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === false) continue;
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}`);
  return element;
}

/**
 * A link that opens away from the report, or plain text when the URL is not http(s).
 * @param {string | null | undefined} url
 * @param {string} label
 * @returns {HTMLElement}
 */
export function link(url, label) {
  const href = safeUrl(url ?? undefined);
  if (!href) return h("span", null, label);
  return h("a", { href, rel: "noopener noreferrer", target: "_blank" }, label);
}

/**
 * Text for screen readers only (a status word beside an icon, what a diff mark means).
 * @param {string} text
 */
export function srOnly(text) {
  return h("span", { class: "sr-only" }, text);
}

/**
 * A date-time as `2026-01-31 14:05 UTC`; the text as given when it is not a date.
 * @param {string | undefined} iso
 */
export function formatWhen(iso) {
  if (!iso) return "—";
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * Percent of `value` between `min` and `max`, kept inside 0–100.
 * @param {number} value
 * @param {number} min
 * @param {number} max
 */
export function percent(value, min, max) {
  if (!(max > min) || !Number.isFinite(value)) return 50;
  return Math.min(100, Math.max(0, ((value - min) / (max - min)) * 100));
}
