// The text the user selected, as code-point offsets, and the selected entity's highlight.
import { textOffset } from "../workbench/render.js";

// The selection inside `textEl` as {start, end} in code points (snapped outward to whole
// grapheme clusters, trimmed of white space), or null.
export function selectedSpan(textEl, index) {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
  const range = sel.getRangeAt(0);
  if (!textEl.contains(range.commonAncestorContainer)) return null;
  const n = index.text.length;
  const a = textOffset(textEl, range.startContainer, range.startOffset, n);
  const b = textOffset(textEl, range.endContainer, range.endOffset, n);
  return a === null || b === null ? null : index.span(a, b);
}

export function markSelection(textEl, state) {
  for (const node of textEl.querySelectorAll(".selected")) node.classList.remove("selected");
  for (const node of state.byId.get(state.selected) || []) node.classList.add("selected");
  textEl.classList.toggle("linking", Boolean(state.linking));
}
