// Applying a label, from the palette or by its key.
import { addEntity, relabelEntity, toggleSentiment } from "../workbench/model.js";
import { cursorSpan, restCursor, tokensOf } from "./words.js";
import { commit } from "./edits.js";
import { notify } from "./notice.js";
import { startLinking } from "./relations.js";
import { selectedSpan } from "./selection.js";

// A sentiment toggles; a relation starts linking from the selected entity; an entity label
// marks the selected text (widened to whole tokens unless Alt was held while selecting) or
// the keyboard cursor's tokens, or accepts the selected suggestion with that label, or
// relabels the selected entity; with none of these, it is armed: the next selection with the
// mouse (a double-click on a word) takes it at once.
export function applyLabel(ed, label) {
  const { state } = ed;
  if (label.kind === "sentiment") { commit(ed, toggleSentiment(ed.content(), ed.schema, label.name)); return; }
  if (label.kind === "relation") { startLinking(ed, label.name); return; }
  const span = selectedSpan(ed.textEl, ed.index, tokensOf(ed), ed.free) || cursorSpan(ed);
  if (span) {
    window.getSelection().removeAllRanges();
    const result = addEntity(ed.content(), ed.schema, { ...span, label: label.name });
    restCursor(ed);
    commit(ed, result, result.id ?? state.selected);
  } else if (ed.isSuggestion?.(state.selected)) {
    ed.acceptSuggestion(state.selected, label.name);
  } else if (state.selected) {
    commit(ed, relabelEntity(ed.content(), ed.schema, state.selected, label.name), state.selected);
  } else {
    arm(ed, label);
  }
}

function arm(ed, label) {
  ed.state.armed = label;
  for (const b of document.querySelectorAll("[data-label]")) b.classList.toggle("armed", Number(b.dataset.label) === label.id);
  notify(ed.t.armed.replace("%s", label.name), "info");
  ed.renderInspector();
}

export function disarm(ed) {
  if (!ed.state.armed) return;
  ed.state.armed = null;
  for (const b of document.querySelectorAll("[data-label].armed")) b.classList.remove("armed");
}

// The palette's buttons ([data-label]: the label's id).
export function wireLabelButtons(ed) {
  for (const button of document.querySelectorAll("[data-label]")) {
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the text selection
    button.addEventListener("click", () => applyLabel(ed, ed.data.labels.find((l) => l.id === Number(button.dataset.label))));
  }
}

// With a label armed, a selection made with the mouse (a drag, a double-click) is labelled
// as soon as the button is released. Alt held while selecting keeps the selection free of
// the tokens (grapheme clusters still are never split).
export function wireArmedSelection(ed) {
  ed.textEl.addEventListener("mousedown", (event) => { ed.free = event.altKey; ed.labelledByMouse = false; });
  ed.textEl.addEventListener("mouseup", (event) => {
    ed.free = ed.free || event.altKey;
    const armed = ed.state.armed;
    if (!armed || window.getSelection().isCollapsed) return;
    ed.labelledByMouse = true; // the click that follows selects nothing else
    applyLabel(ed, armed);
  });
}
