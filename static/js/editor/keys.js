// The keyboard, the same on both pages (templates/annotation/_shortcuts.html lists it), and
// the buttons for the same actions.
import { applyLabel, disarm, wireLabelButtons } from "./labels.js";
import { select } from "./clicks.js";
import { cursorKeys } from "./cursor.js";
import { drawCursor } from "./words.js";
import { deleteSelected, undo } from "./edits.js";
import { notify } from "./notice.js";
import { $ } from "./page.js";

export function toggleHelp() {
  const dialog = $("#help");
  dialog.open ? dialog.close() : dialog.showModal();
}

function typing(event) {
  return event.target.closest("input, textarea, select, [contenteditable=true]");
}

// `ignore`: a selector for where the keys do nothing (a dialog of the page's own). A page
// with keys of its own has ed.keys(event), true when it took the key.
export function wireKeys(ed, { ignore } = {}) {
  const { state, schema } = ed;
  document.addEventListener("keydown", (event) => {
    if (typing(event) || (ignore && event.target.closest(ignore))) return;
    if (ed.keys?.(event)) { event.preventDefault(); return; } // the page's own keys first
    if (cursorKeys(ed, event)) { event.preventDefault(); return; }
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key === "Enter") { event.preventDefault(); ed.save(); return; }
    if (mod && (event.key === "z" || event.key === "Z")) { event.preventDefault(); undo(ed, event.shiftKey); return; }
    if (mod && event.key === "y") { event.preventDefault(); undo(ed, true); return; }
    if (mod || event.altKey) return;
    if (event.key === "?") { event.preventDefault(); toggleHelp(); return; }
    if (event.key === "Escape") {
      state.linking = null; state.candidate = null; disarm(ed);
      if (state.cursor) { state.cursor.active = false; drawCursor(ed); }
      select(ed, null); notify(""); return;
    }
    if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); deleteSelected(ed); return; }
    if (event.key === "Enter" && ed.pending.has()) { event.preventDefault(); ed.pending.accept(); return; }
    const label = schema.byKey.get(event.key) || schema.byKey.get(event.key.toLowerCase());
    if (label) { event.preventDefault(); applyLabel(ed, label); }
  });
}

// The palette, undo, redo, help and reload buttons.
export function wireButtons(ed) {
  wireLabelButtons(ed);
  $("#undo").addEventListener("click", () => undo(ed, false));
  $("#redo").addEventListener("click", () => undo(ed, true));
  $("#help-button").addEventListener("click", toggleHelp);
  $("#reload").addEventListener("click", () => window.location.reload());
}
