// Relation picking: a relation label, with an entity selected, starts linking from it (the
// head); the next entity chosen is the tail.
import { addRelation } from "../workbench/model.js";
import { commit } from "./edits.js";
import { notify } from "./notice.js";
import { escapeHtml } from "./page.js";
import { markSelection } from "./selection.js";

export function startLinking(ed, name) {
  const { state, t } = ed;
  if (!state.selected || ed.isSuggestion?.(state.selected)) { notify(t.select_head); return; }
  state.linking = name;
  notify(t.linking.replace("%s", name), "info");
  markSelection(ed.textEl, state); ed.renderInspector();
}

// Choosing entity `id` while linking adds the relation (or says why not); false when not
// linking, and `id` is simply selected.
export function finishLinking(ed, id) {
  const { state } = ed;
  if (!state.linking || !id || ed.isSuggestion?.(id)) return false;
  const label = state.linking;
  state.linking = null;
  const result = addRelation(ed.content(), ed.schema, { head: state.selected, tail: id, label });
  if (result.content) {
    commit(ed, result, null);
    state.relation = result.index;
    markSelection(ed.textEl, state); ed.renderArrows(); ed.renderInspector();
  } else {
    notify(result.error); markSelection(ed.textEl, state); ed.renderInspector();
  }
  return true;
}

// The inspector's line while linking.
export function linkingHint(box, state, t) {
  if (state.linking) box.insertAdjacentHTML("afterbegin", `<p class="linking-hint">${escapeHtml(t.linking.replace("%s", state.linking))}</p>`);
}
