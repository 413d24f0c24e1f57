// Clicks on the edited text's entities (segments and tags) and on its relation arrows.
import { wireArmedSelection } from "./labels.js";
import { finishLinking } from "./relations.js";
import { markSelection } from "./selection.js";

// Select entity `id` (null: nothing), or end a link at it.
export function select(ed, id) {
  const { state } = ed;
  ed.beforeSelect?.();
  if (finishLinking(ed, id)) return;
  state.selected = id;
  state.relation = null;
  markSelection(ed.textEl, state); ed.renderArrows(); ed.afterSelect?.(); ed.renderInspector();
}

export function wireClicks(ed) {
  const { state, textEl, svg } = ed;
  wireArmedSelection(ed);
  textEl.addEventListener("click", (event) => {
    if (ed.labelledByMouse) { ed.labelledByMouse = false; return; }
    if (!window.getSelection().isCollapsed) return;
    const node = event.target.closest("[data-ids],[data-id]");
    if (!node) { if (!state.linking) select(ed, null); return; }
    if (node.dataset.id) { select(ed, node.dataset.id); return; }
    // Clicking nested spans cycles from the innermost outwards.
    const ids = node.dataset.ids.split(" ").reverse();
    const at = ids.indexOf(state.selected);
    select(ed, ids[(at + 1) % ids.length]);
  });

  svg.addEventListener("click", (event) => {
    const g = event.target.closest("g.rel");
    if (!g) return;
    state.selected = null;
    ed.beforeSelect?.();
    state.relation = Number(g.dataset.index);
    markSelection(textEl, state); ed.renderArrows(); ed.renderInspector();
  });
}
