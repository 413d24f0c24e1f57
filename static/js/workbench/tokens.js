// Tokens as the server's tokenizer cuts them (annotation/pure/tokens.py), for "label all
// occurrences": an occurrence must start at a token's start and end at a token's end, the
// rule of the dictionary agent (annotation/pure/assist/dictionary.py: occurrences). Pure: no
// DOM. Offsets in and out are code points; the search itself runs on UTF-16.

const CJK = [
  "\\u1100-\\u11ff", // Hangul Jamo
  "\\u2e80-\\u2fdf", // CJK radicals, Kangxi radicals
  "\\u3005\\u3007\\u3021-\\u3029\\u3038-\\u303b", // ideographic iteration marks and numerals
  "\\u3040-\\u30ff", // Hiragana, Katakana
  "\\u3130-\\u318f", // Hangul compatibility Jamo
  "\\u31f0-\\u31ff", // Katakana phonetic extensions
  "\\u3400-\\u4dbf", // CJK extension A
  "\\u4e00-\\u9fff", // CJK unified ideographs
  "\\ua960-\\ua97f", // Hangul Jamo extended A
  "\\uac00-\\ud7ff", // Hangul syllables, Jamo extended B
  "\\uf900-\\ufaff", // CJK compatibility ideographs
  "\\uff66-\\uff9f", // halfwidth Katakana
  "\\uffa0-\\uffdc", // halfwidth Hangul
  "\\u{1b000}-\\u{1b16f}", // Kana supplement, extended A
  "\\u{20000}-\\u{3134f}", // CJK extensions B to G, compatibility supplement
].join("");
const MARKS = "\\u0300-\\u036f\\u1ab0-\\u1aff\\u1dc0-\\u1dff\\u20d0-\\u20ff\\ufe20-\\ufe2f";
const EXTEND = `\\u200c\\ufe00-\\ufe0f\\u{1f3fb}-\\u{1f3ff}\\u{e0020}-\\u{e007f}${MARKS}`;
const FLAG = "\\u{1f1e6}-\\u{1f1ff}";
// Python's str.isspace(), which its \s follows (JavaScript's \s differs in four places).
const SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
// Python's \w in a str pattern: letters, numbers, the underscore.
const WORD = "\\p{L}\\p{N}_";

const TOKEN = new RegExp([
  `[${CJK}][${MARKS}]*`, // one CJK character (with any combining mark)
  `(?:(?![${CJK}])[${WORD}]|[${MARKS}])+`, // a word: \w minus CJK, with combining marks
  `[${FLAG}]{2}`, // a flag
  `[^${SPACE}${EXTEND}](?:[${EXTEND}]|\\u200d[^${SPACE}])*`, // any other character and its extenders
  `[${EXTEND}]+`, // stray extenders
].join("|"), "gu");

// The [start, end) UTF-16 offsets of the tokens of `text`, in order.
export function tokenize(text) {
  return [...text.matchAll(TOKEN)].map((m) => [m.index, m.index + m[0].length]);
}

// Tokens joined into the words the server segmented (annotation/pure/segment.py: join):
// `words` are flat UTF-16 pairs [start, end, ...] in order; a word joins the tokens from the
// one starting at its start to the last starting before its end.
export function joinWords(list, words) {
  if (!words?.length) return list;
  const out = [];
  let w = 0;
  for (let i = 0; i < list.length; i++) {
    while (w < words.length && words[w] < list[i][0]) w += 2;
    if (w < words.length && words[w] === list[i][0]) {
      let j = i;
      while (j + 1 < list.length && list[j + 1][0] < words[w + 1]) j++;
      out.push([list[i][0], list[j][1]]);
      i = j;
      w += 2;
    } else {
      out.push(list[i]);
    }
  }
  return out;
}

// Token boundaries of a document, computed once: the tokens in order, and sets of UTF-16
// starts and ends. `words`: the project's segmented words as flat code-point pairs, or null.
export class Tokens {
  constructor(index, words = null) {
    this.index = index; // the document's TextIndex (offsets.js)
    this.list = joinWords(tokenize(index.text), words?.map((cp) => index.toUtf16(cp)));
    this.starts = new Set();
    this.ends = new Set();
    for (const [a, b] of this.list) { this.starts.add(a); this.ends.add(b); }
  }

  get length() { return this.list.length; }

  // The first token that ends after UTF-16 offset `u` (this.length when none does).
  after(u) {
    let lo = 0, hi = this.list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.list[mid][1] > u) hi = mid; else lo = mid + 1; }
    return lo;
  }

  // The last token that starts before UTF-16 offset `u` (-1 when none does).
  before(u) {
    let lo = 0, hi = this.list.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.list[mid][0] < u) lo = mid + 1; else hi = mid; }
    return lo - 1;
  }

  // A UTF-16 selection [a, b) (either order) widened to the whole tokens it touches, as
  // [first token, last token] indexes; null when it touches none (white space only).
  cover(a, b) {
    const i = this.after(Math.min(a, b)), j = this.before(Math.max(a, b));
    return i <= j ? [i, j] : null;
  }

  // Tokens i..j (either order) as a UTF-16 range [start, end).
  range(i, j) { return [this.list[Math.min(i, j)][0], this.list[Math.max(i, j)][1]]; }

  // The non-overlapping occurrences, left to right, of the text of the code-point span
  // [start, end) that start at a token's start and end at a token's end, as {start, end} in
  // code points (the span itself among them when it is token-aligned).
  occurrences(start, end) {
    const { text } = this.index;
    const surface = this.index.slice(start, end);
    const found = [];
    if (!surface) return found;
    let at = text.indexOf(surface);
    while (at >= 0) {
      const stop = at + surface.length;
      if (this.starts.has(at) && this.ends.has(stop)) {
        found.push({ start: this.index.toCodePoint(at), end: this.index.toCodePoint(stop) });
        at = text.indexOf(surface, stop);
      } else {
        at = text.indexOf(surface, at + 1);
      }
    }
    return found;
  }
}
