// The workbench: wires the text, the palette, the keyboard and autosave together.
import { TextIndex } from "./offsets.js";
import {
  History, Schema, acceptSuggestions, addEntity, addRelation, pendingSuggestions,
  relabelEntity, removeEntity, removeRelation, sentimentOf, suggestionKey, toggleSentiment,
} from "./model.js";
import { drawArrows, renderText, textOffset } from "./render.js";
import { Saver } from "./save.js";

const data = JSON.parse(document.getElementById("workbench-data").textContent);
const $ = (sel) => document.querySelector(sel);
const textEl = $("#text"), wrap = $("#text-wrap"), svg = $("#arrows");
const index = new TextIndex(data.document.text, document.documentElement.lang);
const schema = new Schema(data.labels, data.project, index);
const colorOf = new Map(data.labels.map((l) => [l.name, l.color]));
const colors = (name) => colorOf.get(name) || "#888";
const directed = (name) => schema.label("relation", name)?.directed ?? true;
const rejectedKey = `concord:rejected:${data.user}:${data.document.id}`;
const rejected = new Set(JSON.parse(localStorage.getItem(rejectedKey) || "[]"));
const t = data.messages;

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

function entityById(id) { return content().entities.find((e) => e.id === id); }

function suggestions() { return pendingSuggestions(content(), data.predictions, rejected); }

function render() {
  const items = content().entities.map((e) => ({ ...e }));
  for (const s of suggestions()) items.push({ ...s, id: `S:${suggestionKey(s)}`, suggestion: true });
  state.byId = renderText(textEl, index, items, colors).byId;
  if (state.selected && !state.byId.has(state.selected)) state.selected = null;
  markSelection();
  renderArrows();
  renderSide();
}

function renderArrows() {
  drawArrows(svg, wrap, content().relations, state.byId, colors, directed, state.relation);
}

function markSelection() {
  for (const node of textEl.querySelectorAll(".selected")) node.classList.remove("selected");
  for (const node of state.byId.get(state.selected) || []) node.classList.add("selected");
  textEl.classList.toggle("linking", Boolean(state.linking));
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
  if (id?.startsWith("S:")) {
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
  if (state.linking) box.insertAdjacentHTML("afterbegin", `<p class="linking-hint">${escapeHtml(t.linking.replace("%s", state.linking))}</p>`);
}

function escapeHtml(s) { return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

function notify(message, kind = "error") {
  const banner = $("#notice");
  banner.textContent = message;
  banner.className = `wb-notice ${kind}`;
  banner.hidden = !message;
}

function commit(result, select) {
  if (result.error) { notify(result.error); return false; }
  notify("");
  history.push(result.content);
  if (select !== undefined) { state.selected = select; state.relation = null; }
  render();
  saver.change(result.content);
  return true;
}

function currentSelection() {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
  const range = sel.getRangeAt(0);
  if (!textEl.contains(range.commonAncestorContainer)) return null;
  const n = index.text.length;
  const a = textOffset(textEl, range.startContainer, range.startOffset, n);
  const b = textOffset(textEl, range.endContainer, range.endOffset, n);
  return a === null || b === null ? null : index.span(a, b);
}

function applyLabel(label) {
  if (label.kind === "sentiment") { commit(toggleSentiment(content(), schema, label.name)); return; }
  if (label.kind === "relation") {
    if (!state.selected || state.selected.startsWith("S:")) { notify(t.select_head); return; }
    state.linking = label.name;
    notify(t.linking.replace("%s", label.name), "info");
    markSelection(); renderInspector();
    return;
  }
  const span = currentSelection();
  if (span) {
    window.getSelection().removeAllRanges();
    const result = addEntity(content(), schema, { ...span, label: label.name });
    commit(result, result.id ?? state.selected);
  } else if (state.selected?.startsWith("S:")) {
    acceptOne(state.selected, label.name);
  } else if (state.selected) {
    commit(relabelEntity(content(), schema, state.selected, label.name), state.selected);
  } else {
    notify(t.select_text, "info");
  }
}

function acceptOne(id, relabel) {
  const [start, end, label] = id.slice(2).split(":");
  const result = addEntity(content(), schema, { start: +start, end: +end, label: relabel || label });
  commit(result, result.id);
}

function rejectOne(id) {
  rejected.add(id.slice(2));
  localStorage.setItem(rejectedKey, JSON.stringify([...rejected]));
  state.selected = null;
  render();
}

function select(id) {
  if (state.linking && id && !id.startsWith("S:")) {
    const label = state.linking;
    state.linking = null;
    const result = addRelation(content(), schema, { head: state.selected, tail: id, label });
    if (result.content) { commit(result); state.relation = result.index; state.selected = null; markSelection(); renderArrows(); renderInspector(); }
    else { notify(result.error); markSelection(); renderInspector(); }
    return;
  }
  state.selected = id;
  state.relation = null;
  markSelection(); renderArrows(); renderInspector();
}

textEl.addEventListener("click", (event) => {
  if (!window.getSelection().isCollapsed) return;
  const node = event.target.closest("[data-ids],[data-id]");
  if (!node) { if (!state.linking) select(null); return; }
  if (node.dataset.id) { select(node.dataset.id); return; }
  // Clicking nested spans cycles from the innermost outwards.
  const ids = node.dataset.ids.split(" ").reverse();
  const at = ids.indexOf(state.selected);
  select(ids[(at + 1) % ids.length]);
});

svg.addEventListener("click", (event) => {
  const g = event.target.closest("g.rel");
  if (!g) return;
  state.selected = null;
  state.relation = Number(g.dataset.index);
  markSelection(); renderArrows(); renderInspector();
});

function deleteSelected() {
  if (state.selected?.startsWith("S:")) rejectOne(state.selected);
  else if (state.selected) commit(removeEntity(content(), state.selected), null);
  else if (state.relation !== null) { const i = state.relation; state.relation = null; commit(removeRelation(content(), i)); }
}

function undo(redo) {
  const next = redo ? history.redo() : history.undo();
  if (!next) return;
  state.selected = null; state.relation = null; state.linking = null;
  render();
  saver.change(next);
}

async function submit() {
  notify("");
  const ok = await saver.flush("submitted");
  if (ok) window.location.assign(data.urls.next);
}

function typing(event) {
  return event.target.closest("input, textarea, select, [contenteditable=true]");
}

document.addEventListener("keydown", (event) => {
  if (typing(event) || event.target.closest("#skip-dialog")) return;
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.key === "Enter") { event.preventDefault(); submit(); return; }
  if (mod && (event.key === "z" || event.key === "Z")) { event.preventDefault(); undo(event.shiftKey); return; }
  if (mod && event.key === "y") { event.preventDefault(); undo(true); return; }
  if (mod || event.altKey) return;
  if (event.key === "?") { event.preventDefault(); toggleHelp(); return; }
  if (event.key === "Escape") { state.linking = null; select(null); notify(""); return; }
  if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); deleteSelected(); return; }
  if (event.key === "Enter" && state.selected?.startsWith("S:")) { event.preventDefault(); acceptOne(state.selected); return; }
  const label = schema.byKey.get(event.key) || schema.byKey.get(event.key.toLowerCase());
  if (label) { event.preventDefault(); applyLabel(label); }
});

for (const button of document.querySelectorAll("[data-label]")) {
  button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the text selection
  button.addEventListener("click", () => applyLabel(data.labels.find((l) => l.id === Number(button.dataset.label))));
}
$("#undo").addEventListener("click", () => undo(false));
$("#redo").addEventListener("click", () => undo(true));
$("#submit").addEventListener("click", submit);
$("#accept-all").addEventListener("click", () => {
  const next = acceptSuggestions(content(), schema, data.predictions, rejected);
  if (next !== content()) commit({ content: next }, null);
});
$("#reject-all").addEventListener("click", () => {
  for (const s of suggestions()) rejected.add(suggestionKey(s));
  localStorage.setItem(rejectedKey, JSON.stringify([...rejected]));
  render();
});
$("#help-button").addEventListener("click", toggleHelp);
wireSkip();
$("#retry").addEventListener("click", () => saver.flush());
$("#reload").addEventListener("click", () => window.location.reload());

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

function toggleHelp() {
  const dialog = $("#help");
  dialog.open ? dialog.close() : dialog.showModal();
}

function showSaveState(stateName, detail = {}) {
  const el = $("#save-state");
  el.dataset.state = stateName;
  const seconds = detail.retryIn ? Math.round(detail.retryIn / 1000) : 0;
  el.textContent = t[`save_${stateName}`].replace("%s", seconds);
  $("#retry").hidden = stateName !== "offline";
  $("#reload").hidden = stateName !== "conflict";
  if (stateName === "conflict") notify(t.save_conflict);
  if (stateName === "forbidden") notify(detail.detail || t.save_forbidden);
  if (stateName === "invalid") {
    notify([detail.detail, ...(detail.errors || []).map((e) => `${e.field}: ${e.message}`)].join("\n"));
  }
}

window.addEventListener("beforeunload", (event) => {
  if (!saver.unsaved) return;
  saver.flush();
  event.preventDefault();
});

new ResizeObserver(() => renderArrows()).observe(textEl);

const recovered = saver.recover();
if (recovered) {
  history.push(recovered);
  saver.change(recovered);
  notify(t.recovered, "info");
}
render();
showSaveState(recovered ? "pending" : "saved");
document.body.dataset.workbench = "ready";
