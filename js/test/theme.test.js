// Dark themes: every colour in widget.css comes from a JupyterLab theme variable (--jp-…). A
// literal colour may only be the fallback of such a variable (for Notebook 7, VS Code and plain
// pages); anywhere else it would stay light-theme on a dark page. No DOM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const CSS = readFileSync(new URL("../src/widget.css", import.meta.url), "utf8");

// The CSS named colours (CSS Color 4), and the functions that write a colour.
const NAMED = new Set(`aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet
brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid darkred
darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue
dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray
green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush lawngreen
lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen lightgrey lightpink
lightsalmon lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue lightyellow lime limegreen
linen magenta maroon mediumaquamarine mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue
mediumspringgreen mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy
oldlace olive olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip
peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan teal
thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen`.split(/\s+/));
const FUNCTIONS = /\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(/i;
const HEX = /#[0-9a-f]{3,8}\b/i;

/** `value` without its `var(--jp-…, fallback)` parts (a fallback may hold any colour). */
function withoutThemeVariables(value) {
  let out = "";
  let i = 0;
  while (i < value.length) {
    if (value.startsWith("var(--jp-", i)) {
      let depth = 0;
      for (; i < value.length; i++) {
        if (value[i] === "(") depth += 1;
        else if (value[i] === ")" && --depth === 0) break;
      }
      i += 1;
      out += " ";
    } else {
      out += value[i++];
    }
  }
  return out;
}

/** Every literal colour of a style sheet outside a theme variable: ["selector { prop: value }", ...]. */
function literalColours(css) {
  const found = [];
  const text = css.replace(/\/\*[\s\S]*?\*\//g, "");
  for (const [, selector, block] of text.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    for (const declaration of block.split(";")) {
      const colon = declaration.indexOf(":");
      if (colon < 0) continue;
      const property = declaration.slice(0, colon).trim();
      const value = declaration.slice(colon + 1).trim();
      const rest = withoutThemeVariables(value);
      const words = rest.toLowerCase().match(/[a-z-]+/g) ?? [];
      if (HEX.test(rest) || FUNCTIONS.test(rest) || words.some((w) => NAMED.has(w))) {
        found.push(`${selector.trim()} { ${property}: ${value} }`);
      }
    }
  }
  return found;
}

test("the colour check finds literal colours and lets theme-variable fallbacks be", () => {
  const bad = [
    ".a { color: #fff }",
    ".a { background: #12345678 }",
    ".a { color: rgb(0 0 0) }",
    ".a { border: 1px solid hsl(0, 0%, 50%) }",
    ".a { color: Red }",
    ".a { background: color-mix(in srgb, var(--jp-brand-color1, #1976d2) 10%, white) }",
    ".a { color: var(--not-jupyter, #222) }",
    ".a { color: var(--jp-ui-font-color1, #222); background: navy }",
  ];
  for (const css of bad) assert.equal(literalColours(css).length, 1, css);
  const good = [
    ".a { color: var(--jp-ui-font-color1, #222) }",
    ".a { color: var(--jp-ui-font-color1) }",
    ".a { background: var(--jp-layout-color1, var(--jp-layout-color0, rgb(255 255 255))) }",
    ".a { background: color-mix(in srgb, var(--jp-error-color1, #d32f2f) 12%, transparent) }",
    ".a { border: 1px solid var(--jp-border-color2, #ddd); font-family: var(--jp-code-font-family, monospace) }",
    "/* #fff red */ .a { display: flex; white-space: pre-wrap; font-variant-numeric: tabular-nums }",
  ];
  for (const css of good) assert.deepEqual(literalColours(css), [], css);
});

test("widget.css takes every colour from JupyterLab's theme variables (dark themes work)", () => {
  assert.ok(CSS.includes("var(--jp-"), "the style sheet is read");
  assert.deepEqual(literalColours(CSS), []);
});
