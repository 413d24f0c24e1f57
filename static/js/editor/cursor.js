// Labeling with the keyboard only: a token cursor (arrows move it, Shift+arrows extend it,
// a label key labels it), Tab and Shift+Tab from entity to entity, and a relation's tail
// chosen with Tab and taken with Enter. Arrows follow the direction of the cursor's
// paragraph: in a right-to-left one, ArrowLeft moves forward.
import { select } from "./clicks.js";
import { notify } from "./notice.js";
import { finishLinking } from "./relations.js";
import { markSelection } from "./selection.js";
import { cursorSpan, drawCursor, restCursor, tokensOf } from "./words.js";

// Whether the paragraph the cursor is in (the first one before it is used) runs right to
// left: each paragraph takes its direction from its own text (dir="auto", render.js).
function rtl(ed) {
  const c = ed.state.cursor, tokens = tokensOf(ed);
  let el = ed.textEl.querySelector(".para") || ed.textEl;
  if (c && tokens.length) {
    const [node] = ed.textEl._view.point(tokens.range(c.head, c.head)[0]);
    el = (node.nodeType === 1 ? node : node.parentElement).closest(".para") || el;
  }
  return getComputedStyle(el).direction === "rtl";
}

// Where a cursor starts: next to the selected entity (after it going forward, before it going
// back), else next to where it rested (after labelling), else on the first token.
function startAt(ed, step) {
  const tokens = tokensOf(ed), { state } = ed;
  const entity = state.selected && ed.content().entities.find((e) => e.id === state.selected);
  let at = 0;
  if (entity) {
    at = step > 0 ? tokens.after(ed.index.toUtf16(entity.end) - 1) + 1 : tokens.after(ed.index.toUtf16(entity.start)) - 1;
  } else if (state.cursor) {
    const { anchor, head } = state.cursor;
    at = step > 0 ? Math.max(anchor, head) + 1 : Math.min(anchor, head) - 1;
  }
  return Math.max(0, Math.min(tokens.length - 1, at));
}

export function moveCursor(ed, step, extend) {
  const tokens = tokensOf(ed), { state } = ed;
  if (!tokens.length) return;
  const c = state.cursor;
  let cursor;
  if (!c?.active) {
    const head = startAt(ed, step);
    cursor = { anchor: extend && c ? c.anchor : head, head, active: true };
  } else {
    const head = Math.max(0, Math.min(tokens.length - 1, c.head + step));
    cursor = { anchor: extend ? c.anchor : head, head, active: true };
  }
  state.cursor = cursor;
  if (state.selected || state.relation !== null) {
    state.selected = null; state.relation = null;
    markSelection(ed.textEl, state); ed.renderArrows();
  }
  drawCursor(ed);
  ed.renderInspector();
}

function scrollToEntity(ed, id) {
  const node = ed.state.byId.get(id)?.[0];
  node?.scrollIntoView({ block: "nearest", inline: "nearest" });
}

// Tab: the next entity in text order (suggested ones included where the page has them),
// from the selection, or from the cursor; while linking, the candidate tail instead.
export function tabTo(ed, back) {
  const { state } = ed;
  const items = [...(ed.navigable?.() ?? ed.content().entities)]
    .filter((e) => !state.linking || (e.id !== state.selected && !ed.isSuggestion?.(e.id)))
    .sort((x, y) => x.start - y.start || x.end - y.end);
  if (!items.length) { notify(ed.t.no_entities, "info"); return; }
  const current = state.linking ? state.candidate : state.selected;
  let at = items.findIndex((e) => e.id === current);
  if (at >= 0) at = (at + (back ? -1 : 1) + items.length) % items.length;
  else if (!state.linking && state.cursor?.active) {
    const from = cursorSpan(ed)?.start ?? 0;
    at = back ? items.findLastIndex((e) => e.start < from) : items.findIndex((e) => e.start >= from);
    if (at < 0) at = back ? items.length - 1 : 0;
  } else at = back ? items.length - 1 : 0;
  const id = items[at].id;
  if (state.linking) {
    state.candidate = id;
    markSelection(ed.textEl, state); ed.renderInspector();
  } else {
    restCursor(ed);
    select(ed, id);
  }
  scrollToEntity(ed, id);
}

// Enter while linking: the relation to the candidate tail. False when there is none.
export function takeCandidate(ed) {
  const { state } = ed;
  if (!state.linking || !state.candidate) return false;
  const tail = state.candidate;
  state.candidate = null;
  finishLinking(ed, tail);
  return true;
}

// The arrows, Tab and Enter of keyboard labeling; true when the key was taken. Only where
// the text has the focus (or nothing has): elsewhere Tab moves the focus as usual.
export function cursorKeys(ed, event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return false;
  const here = event.target === document.body || ed.wrap.contains(event.target);
  if (!here) return false;
  if (event.key === "Tab") { tabTo(ed, event.shiftKey); return true; }
  if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
    const forward = (event.key === "ArrowRight") !== rtl(ed);
    moveCursor(ed, forward ? 1 : -1, event.shiftKey);
    return true;
  }
  if (event.key === "Enter" && takeCandidate(ed)) return true;
  return false;
}
