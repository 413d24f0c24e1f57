// The workbench: wires the text, the palette, the keyboard and autosave together; the
// gestures and keys it shares with the adjudication page are in ../editor/.
import { History, acceptSuggestions, addEntity, pendingSuggestions, sentimentOf, suggestionKey } from "./model.js";
import { drawArrows, renderText } from "./render.js";
import { Saver } from "./save.js";
import { wireClicks } from "../editor/clicks.js";
import { commit, recover } from "../editor/edits.js";
import { wireButtons, wireKeys } from "../editor/keys.js";
import { notify, saveStateShower } from "../editor/notice.js";
import { $, escapeHtml, readPage } from "../editor/page.js";
import { linkingHint } from "../editor/relations.js";
import { markSelection } from "../editor/selection.js";

const page = readPage("workbench-data");
const { data, t, index, schema, textEl, wrap, svg, colors, directed } = page;
const showSaveState = saveStateShower(t);
const rejectedKey = `concord:rejected:${data.user}:${data.document.id}`;
const rejected = new Set(JSON.parse(localStorage.getItem(rejectedKey) || "[]"));

const initial = { entities: data.annotation.entities, relations: data.annotation.relations, sentiment: data.annotation.sentiment };
const history = new History(initial);
const state = { selected: null, relation: null, linking: null, byId: new Map() };
let started = performance.now(), spent = data.annotation.seconds_spent || 0;

const saver = new Saver({
  url: data.urls.annotation, version: data.annotation.version, status: data.annotation.status,
  storageKey: `concord:draft:${data.user}:${data.document.id}`, onState: showSaveState,
});
saver.last = initial;
saver.seconds = () => Math.round((spent + activeSeconds()) * 10) / 10;

function activeSeconds() {
  return document.visibilityState === "visible" ? (performance.now() - started) / 1000 : 0;
}
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") { spent += (performance.now() - started) / 1000; }
  started = performance.now();
});

const content = () => history.current;
const isSuggestion = (id) => Boolean(id?.startsWith("S:"));

const ed = {
  ...page, state, history, saver, content, render, renderArrows, renderInspector, save: submit,
  isSuggestion, acceptSuggestion: acceptOne,
  pending: {
    has: () => isSuggestion(state.selected),
    accept: () => acceptOne(state.selected),
    reject: () => rejectOne(state.selected),
  },
};

function entityById(id) { return content().entities.find((e) => e.id === id); }

function suggestions() { return pendingSuggestions(content(), data.predictions, rejected); }

function render() {
  const items = content().entities.map((e) => ({ ...e }));
  for (const s of suggestions()) items.push({ ...s, id: `S:${suggestionKey(s)}`, suggestion: true });
  state.byId = renderText(textEl, index, items, colors).byId;
  if (state.selected && !state.byId.has(state.selected)) state.selected = null;
  markSelection(textEl, state);
  renderArrows();
  renderSide();
}

function renderArrows() {
  drawArrows(svg, wrap, content().relations, state.byId, colors, directed, state.relation);
}

function renderSide() {
  const chosen = sentimentOf(content());
  for (const button of document.querySelectorAll("[data-sentiment]")) {
    button.setAttribute("aria-pressed", chosen.has(button.dataset.sentiment));
  }
  const pending = suggestions();
  $("#suggestions").hidden = !data.predictions || (!pending.length && !predictedSentimentPending());
  $("#suggestion-count").textContent = pending.length;
  renderInspector();
  $("#undo").disabled = !history.past.length;
  $("#redo").disabled = !history.future.length;
}

function predictedSentimentPending() {
  return Boolean(data.predictions?.sentiment) && sentimentOf(content()).size === 0;
}

function renderInspector() {
  const box = $("#inspector");
  const id = state.selected;
  if (isSuggestion(id)) {
    const [start, end, label] = id.slice(2).split(":");
    box.innerHTML = `<p><strong>${t.suggestion}</strong> ${label}: “${escapeHtml(index.slice(+start, +end))}”</p><p class="muted">${t.suggestion_help}</p>`;
    return;
  }
  const entity = id && entityById(id);
  if (entity) {
    box.innerHTML = `<p><span class="swatch" style="--c:${colors(entity.label)}"></span><strong>${escapeHtml(entity.label)}</strong> “${escapeHtml(index.slice(entity.start, entity.end))}” <span class="muted">[${entity.start}, ${entity.end})</span></p><p class="muted">${t.entity_help}</p>`;
  } else if (state.relation !== null && content().relations[state.relation]) {
    const r = content().relations[state.relation];
    const h = entityById(r.head), tl = entityById(r.tail);
    box.innerHTML = `<p><strong>${escapeHtml(r.label)}</strong>: “${escapeHtml(index.slice(h.start, h.end))}” → “${escapeHtml(index.slice(tl.start, tl.end))}”</p><p class="muted">${t.relation_help}</p>`;
  } else {
    box.innerHTML = `<p class="muted">${t.nothing_selected}</p>`;
  }
  linkingHint(box, state, t);
}

function acceptOne(id, relabel) {
  const [start, end, label] = id.slice(2).split(":");
  const result = addEntity(content(), schema, { start: +start, end: +end, label: relabel || label });
  commit(ed, result, result.id);
}

function rejectOne(id) {
  rejected.add(id.slice(2));
  localStorage.setItem(rejectedKey, JSON.stringify([...rejected]));
  state.selected = null;
  render();
}

async function submit() {
  notify("");
  const ok = await saver.flush("submitted");
  if (ok) window.location.assign(data.urls.next);
}

wireClicks(ed);
wireKeys(ed, { ignore: "#skip-dialog" });
wireButtons(ed);
$("#submit").addEventListener("click", submit);
$("#accept-all").addEventListener("click", () => {
  const next = acceptSuggestions(content(), schema, data.predictions, rejected);
  if (next !== content()) commit(ed, { content: next }, null);
});
$("#reject-all").addEventListener("click", () => {
  for (const s of suggestions()) rejected.add(suggestionKey(s));
  localStorage.setItem(rejectedKey, JSON.stringify([...rejected]));
  render();
});
wireSkip();
$("#retry").addEventListener("click", () => saver.flush());

// Skip asks first, for every document: the reason is optional, and a document with labels
// (saved or not) says that they are kept. Unsaved labels are saved before the skip is sent.
function hasLabels() {
  const c = content();
  return c.entities.length > 0 || c.relations.length > 0 || sentimentOf(c).size > 0;
}

function wireSkip() {
  const dialog = $("#skip-dialog"), confirm = $("#skip-confirm");
  let leaving = false;
  $("#skip-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("#skip-kept").hidden = !hasLabels();
    dialog.showModal();
    $("#skip-reason").focus();
  });
  $("#skip-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (!leaving) $("#skip").focus(); });
  $("#skip-confirm-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    confirm.disabled = true;
    const saved = await saver.flush();
    if (!saved && !saver.stopped) { // not stored yet: skipping now would lose them
      confirm.disabled = false;
      dialog.close();
      notify(t.skip_unsaved);
      return;
    }
    leaving = true;
    event.target.submit();
  });
}

window.addEventListener("beforeunload", (event) => {
  if (!saver.unsaved) return;
  saver.flush();
  event.preventDefault();
});

new ResizeObserver(() => renderArrows()).observe(textEl);

const recovered = recover(ed);
render();
showSaveState(recovered ? "pending" : "saved");
document.body.dataset.workbench = "ready";
