// Offsets between the browser's UTF-16 code units and the server's code points, and
// grapheme-cluster snapping. Pure: no DOM, so it is tested on its own.

const segmenterFor = (locale) => new Intl.Segmenter(locale, { granularity: "grapheme" });

function isHigh(c) { return c >= 0xd800 && c <= 0xdbff; }
function isLow(c) { return c >= 0xdc00 && c <= 0xdfff; }

export class TextIndex {
  constructor(text, locale) {
    const n = text.length;
    this.text = text;
    this.cpOf = new Uint32Array(n + 1); // UTF-16 index -> code point index
    let cp = 0;
    for (let i = 0; i < n; i++) {
      this.cpOf[i] = cp;
      if (isHigh(text.charCodeAt(i)) && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
        this.cpOf[++i] = cp; // the low half of a pair belongs to the same code point
      }
      cp++;
    }
    this.cpOf[n] = cp;
    this.length = cp;
    this.u16Of = new Uint32Array(cp + 1); // code point index -> UTF-16 index
    for (let i = n; i >= 0; i--) this.u16Of[this.cpOf[i]] = i;
    this.boundary = new Uint8Array(n + 1); // 1 where a grapheme cluster starts (or ends)
    this.boundary[n] = 1;
    for (const { index } of segmenterFor(locale).segment(text)) this.boundary[index] = 1;
  }

  toCodePoint(u16) { return this.cpOf[Math.max(0, Math.min(u16, this.text.length))]; }

  toUtf16(cp) { return this.u16Of[Math.max(0, Math.min(cp, this.length))]; }

  snapBack(u16) {
    let i = Math.max(0, Math.min(u16, this.text.length));
    while (i > 0 && !this.boundary[i]) i--;
    return i;
  }

  snapForward(u16) {
    const n = this.text.length;
    let i = Math.max(0, Math.min(u16, n));
    while (i < n && !this.boundary[i]) i++;
    return i;
  }

  // A selection [a, b) in UTF-16 units (either order) -> {start, end} in code points,
  // snapped outward to whole grapheme clusters and trimmed of surrounding white space;
  // null when nothing but white space is left.
  span(a, b) {
    let lo = this.snapBack(Math.min(a, b));
    let hi = this.snapForward(Math.max(a, b));
    const t = this.text;
    while (lo < hi && /\s/u.test(t[lo])) lo = this.snapForward(lo + 1);
    while (hi > lo && /\s/u.test(t[hi - 1])) hi = this.snapBack(hi - 1);
    if (lo >= hi) return null;
    return { start: this.toCodePoint(lo), end: this.toCodePoint(hi) };
  }

  // The text of a code-point span, as Python's text[start:end] gives it.
  slice(start, end) { return this.text.slice(this.toUtf16(start), this.toUtf16(end)); }
}
