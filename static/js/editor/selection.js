// The text the user selected, as code-point offsets, and the selected entity's highlight.
import { textOffset } from "../workbench/render.js";

// The selection inside `textEl` as {start, end} in code points, or null: widened to whole
// tokens of the project's tokenizer (`tokens`, a Tokens), or when `free` (Alt held while
// selecting) or no token is touched, snapped outward to whole grapheme clusters; trimmed of
// white space either way.
export function selectedSpan(textEl, index, tokens = null, free = false) {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
  const range = sel.getRangeAt(0);
  if (!textEl.contains(range.commonAncestorContainer)) return null;
  const n = index.text.length;
  const a = textOffset(textEl, range.startContainer, range.startOffset, n);
  const b = textOffset(textEl, range.endContainer, range.endOffset, n);
  if (a === null || b === null) return null;
  const covered = tokens && !free ? tokens.cover(a, b) : null;
  return covered ? index.span(...tokens.range(...covered)) : index.span(a, b);
}

export function markSelection(textEl, state) {
  for (const node of textEl.querySelectorAll(".selected, .candidate")) node.classList.remove("selected", "candidate");
  for (const node of state.byId.get(state.selected) || []) node.classList.add("selected");
  for (const node of state.byId.get(state.candidate) || []) node.classList.add("candidate");
  textEl.classList.toggle("linking", Boolean(state.linking));
}
