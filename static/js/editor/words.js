// The word cursor's state as drawn: the document's tokens, the cursor's span, and its
// highlight (CSS Custom Highlight API, so moving it re-renders nothing). No imports from
// the other editor modules, which all may use it (cursor.js has the keys that move it).
import { Tokens } from "../workbench/tokens.js";

// The document's tokens, made on first use (a long text costs a moment once).
export function tokensOf(ed) {
  ed.tokens ??= new Tokens(ed.index, ed.data.document.words);
  return ed.tokens;
}

// The cursor's tokens as {start, end} in code points, or null while it is not in use.
export function cursorSpan(ed) {
  const c = ed.state.cursor;
  if (!c?.active) return null;
  const [a, b] = tokensOf(ed).range(c.anchor, c.head);
  return ed.index.span(a, b);
}

// A UTF-16 offset of the text -> the DOM point [text node, offset] inside its segment.
function domPoint(textEl, u16) { return textEl._view.point(u16); }

export function drawCursor(ed) {
  const c = ed.state.cursor;
  const highlights = window.CSS?.highlights;
  if (!c?.active || !tokensOf(ed).length) {
    highlights?.delete("wb-cursor");
    delete ed.textEl.dataset.cursor;
    return;
  }
  const [a, b] = tokensOf(ed).range(c.anchor, c.head);
  const span = ed.index.span(a, b);
  ed.textEl.dataset.cursor = span ? `${span.start}:${span.end}` : "";
  const start = domPoint(ed.textEl, a), end = domPoint(ed.textEl, b);
  if (highlights) {
    const range = new Range();
    range.setStart(...start);
    range.setEnd(...end);
    highlights.set("wb-cursor", new Highlight(range));
  }
  start[0].parentElement.scrollIntoView({ block: "nearest", inline: "nearest" });
}

// A resting cursor over an entity's tokens (it was deleted): the next arrow goes on from it.
export function restCursorOn(ed, entity) {
  const tokens = tokensOf(ed);
  const covered = tokens.cover(ed.index.toUtf16(entity.start), ed.index.toUtf16(entity.end));
  if (covered) ed.state.cursor = { anchor: covered[0], head: covered[1], active: false };
}

// After the cursor's tokens were labelled: it rests (the new entity is selected) and picks
// up after it at the next arrow.
export function restCursor(ed) {
  if (ed.state.cursor) ed.state.cursor.active = false;
  drawCursor(ed);
}
