// Applying a label, from the palette or by its key.
import { addEntity, relabelEntity, toggleSentiment } from "../workbench/model.js";
import { commit } from "./edits.js";
import { notify } from "./notice.js";
import { startLinking } from "./relations.js";
import { selectedSpan } from "./selection.js";

// A sentiment toggles; a relation starts linking from the selected entity; an entity label
// marks the selected text, or accepts the selected suggestion with that label, or relabels
// the selected entity.
export function applyLabel(ed, label) {
  const { state } = ed;
  if (label.kind === "sentiment") { commit(ed, toggleSentiment(ed.content(), ed.schema, label.name)); return; }
  if (label.kind === "relation") { startLinking(ed, label.name); return; }
  const span = selectedSpan(ed.textEl, ed.index);
  if (span) {
    window.getSelection().removeAllRanges();
    const result = addEntity(ed.content(), ed.schema, { ...span, label: label.name });
    commit(ed, result, result.id ?? state.selected);
  } else if (ed.isSuggestion?.(state.selected)) {
    ed.acceptSuggestion(state.selected, label.name);
  } else if (state.selected) {
    commit(ed, relabelEntity(ed.content(), ed.schema, state.selected, label.name), state.selected);
  } else {
    notify(ed.t.select_text, "info");
  }
}

// The palette's buttons ([data-label]: the label's id).
export function wireLabelButtons(ed) {
  for (const button of document.querySelectorAll("[data-label]")) {
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the text selection
    button.addEventListener("click", () => applyLabel(ed, ed.data.labels.find((l) => l.id === Number(button.dataset.label))));
  }
}
