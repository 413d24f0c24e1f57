// Changes to the edited annotation, with undo and redo.
//
// Every function in static/js/editor/ takes `ed`, the page's editor: what readPage() gives
// (data, t, index, schema, textEl, svg, …) and
//   state    {selected: entity id, relation: index, linking: relation label, byId}
//   history  a History; content() its current annotation; saver, a Saver
//   render(), renderArrows(), renderInspector()   the page's drawing
//   save()   what Ctrl+Enter does
//   pending  {has(), accept(), reject()}: the item waiting for a yes or no (a suggestion
//            on the workbench, an annotator's item on the adjudication page), for Enter
//            and Delete
// and, where the page has them: isSuggestion(id), acceptSuggestion(id, label),
// beforeSelect() / afterSelect() around a change of the selection, and keys(event), the
// page's own keys (true when it took the key).
import { removeEntity, removeRelation } from "../workbench/model.js";
import { restCursorOn } from "./words.js";
import { notify } from "./notice.js";

// Apply an operation's result ({content} or {error}); `select`, when given, becomes the
// selected entity. Returns whether it applied.
export function commit(ed, result, select) {
  if (result.error) { notify(result.error); return false; }
  notify("");
  if (result.content !== ed.content()) {
    ed.history.push(result.content);
    ed.saver.change(result.content);
  }
  if (select !== undefined) { ed.state.selected = select; ed.state.relation = null; }
  ed.render();
  return true;
}

export function deleteSelected(ed) {
  const { state } = ed;
  if (ed.pending.has()) ed.pending.reject();
  else if (state.selected) {
    const gone = ed.content().entities.find((e) => e.id === state.selected);
    if (gone) restCursorOn(ed, gone); // the arrows go on from where it was
    commit(ed, removeEntity(ed.content(), state.selected), null);
  }
  else if (state.relation !== null) { const i = state.relation; state.relation = null; commit(ed, removeRelation(ed.content(), i)); }
}

export function undo(ed, redo) {
  const next = redo ? ed.history.redo() : ed.history.undo();
  if (!next) return;
  const { state } = ed;
  state.selected = null; state.relation = null; state.linking = null;
  ed.render();
  ed.saver.change(next);
}

// Unsaved work an earlier visit left in localStorage: back in the history, to be saved.
export function recover(ed) {
  const recovered = ed.saver.recover();
  if (recovered) {
    ed.history.push(recovered);
    ed.saver.change(recovered);
    notify(ed.t.recovered, "info");
  }
  return recovered;
}
