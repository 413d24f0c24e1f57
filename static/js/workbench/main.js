// The workbench: wires the text, the palette, the keyboard and autosave together; the
// gestures and keys it shares with the adjudication page are in ../editor/.
import { Decisions, decisionItems } from "./decisions.js";
import {
  History, acceptSuggestions, addEntity, groupSuggestions, labelOccurrences, pendingSuggestions, sentimentOf,
} from "./model.js";
import { renderList, markList, wireList } from "./list.js";
import { drawArrows, renderText } from "./render.js";
import { Saver } from "./save.js";
import { wireClicks } from "../editor/clicks.js";
import { cursorSpan, drawCursor, tokensOf } from "../editor/words.js";
import { commit, recover } from "../editor/edits.js";
import { wireButtons, wireKeys } from "../editor/keys.js";
import { notify, saveStateShower } from "../editor/notice.js";
import { $, escapeHtml, readPage } from "../editor/page.js";
import { linkingHint } from "../editor/relations.js";
import { markSelection } from "../editor/selection.js";

const page = readPage("workbench-data");
const { data, t, index, schema, textEl, wrap, svg, colors, directed } = page;
const showSaveState = saveStateShower(t);
// The agents' suggestions (data.predictions, the name imported predictions had): grouped,
// those rejected (on the server, or here before the server heard of it) not offered again;
// every accept and reject goes to the server as a decision, in the background.
const groups = groupSuggestions(data.predictions);
const rejectedKey = `concord:rejected:${data.user}:${data.document.id}`;
const rejected = new Set([...(data.rejected || []), ...JSON.parse(localStorage.getItem(rejectedKey) || "[]")]);
const decisions = new Decisions({
  url: data.urls.suggestions, prefix: `concord:decisions:${data.user}:`,
  key: `concord:decisions:${data.user}:${data.document.id}`,
});
const suggestionById = new Map(); // the rendered suggested entities: "S:" + key -> group

const initial = { entities: data.annotation.entities, relations: data.annotation.relations, sentiment: data.annotation.sentiment };
const history = new History(initial);
// selected: an entity id; relation: an index; linking: a relation label waiting for its
// tail, candidate: the tail Tab has reached; cursor: {anchor, head, active}, token indexes;
// armed: the label the next mouse selection takes.
const state = { selected: null, relation: null, linking: null, candidate: null, cursor: null, armed: null, byId: new Map() };
let started = performance.now(), spent = data.annotation.seconds_spent || 0;

const saver = new Saver({
  url: data.urls.annotation, version: data.annotation.version, status: data.annotation.status,
  storageKey: `concord:draft:${data.user}:${data.document.id}`, onState: showSaveState, changes: true,
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
  isSuggestion, acceptSuggestion: acceptOne, keys: pageKeys, navigable,
  afterSelect: () => markList(ed),
  pending: {
    has: () => isSuggestion(state.selected),
    accept: () => acceptOne(state.selected),
    reject: () => rejectOne(state.selected),
  },
};

function entityById(id) { return content().entities.find((e) => e.id === id); }

// What Tab walks through: the entities, and the suggested ones shown in the text.
function navigable() {
  return [...content().entities, ...[...suggestionById].map(([id, g]) => ({ id, start: g.start, end: g.end }))];
}

function suggestions() { return pendingSuggestions(content(), schema, groups, rejected); }

function render() {
  const pending = suggestions();
  const items = content().entities.map((e) => ({ ...e }));
  suggestionById.clear();
  for (const g of pending.entities) {
    const id = `S:${g.key}`;
    suggestionById.set(id, g);
    items.push({ id, start: g.start, end: g.end, label: g.label, suggestion: true, title: describe(g) });
  }
  state.byId = renderText(textEl, index, items, colors).byId;
  if (state.selected && !state.byId.has(state.selected)) state.selected = null;
  markSelection(textEl, state);
  renderArrows(pending);
  renderSide(pending);
  drawCursor(ed);
  listLater();
}

// The annotation list is drawn when the browser is idle, after the frame that shows the
// edit: a long annotation's list costs more than the edit itself.
let listPending = false;
function listLater() {
  if (listPending) return;
  listPending = true;
  const draw = () => { listPending = false; renderList(ed); };
  if (window.requestIdleCallback) requestIdleCallback(draw, { timeout: 500 }); else setTimeout(draw, 50);
}

// "PER · Suggested by dictionary v3 0.92, crf 0.80"
function describe(group) {
  const by = group.by.map((b) => `${b.agent}${b.model_version ? ` v${b.model_version}` : ""} ${b.score.toFixed(2)}`);
  return `${group.label} · ${t.suggested_by.replace("%s", by.join(", "))}`;
}

// Suggested relations are drawn between the entities (or suggested entities) at their ends.
function renderArrows(pending = suggestions()) {
  const at = new Map();
  for (const e of content().entities) if (!at.has(`${e.start}:${e.end}`)) at.set(`${e.start}:${e.end}`, e.id);
  for (const [id, g] of suggestionById) if (!at.has(`${g.start}:${g.end}`)) at.set(`${g.start}:${g.end}`, id);
  const suggested = pending.relations.map((r) => ({
    head: at.get(`${r.head.start}:${r.head.end}`), tail: at.get(`${r.tail.start}:${r.tail.end}`),
    label: r.label, title: describe(r),
  }));
  drawArrows(svg, wrap, content().relations, state.byId, colors, directed, state.relation, suggested);
}

const LISTED = 40; // suggestions listed in the side panel; the rest are in the text

function renderSide(pending = suggestions()) {
  const chosen = sentimentOf(content());
  for (const button of document.querySelectorAll("[data-sentiment]")) {
    button.setAttribute("aria-pressed", chosen.has(button.dataset.sentiment));
  }
  const all = [...pending.sentiment, ...pending.relations, ...pending.entities];
  $("#suggestions").hidden = !all.length;
  $("#suggestion-count").textContent = all.length;
  const rows = all.slice(0, LISTED).map(suggestionRow);
  if (all.length > LISTED) rows.push(`<li class="muted">${escapeHtml(t.more_suggestions.replace("%s", all.length - LISTED))}</li>`);
  $("#suggestion-list").innerHTML = rows.join("");
  renderInspector();
  $("#undo").disabled = !history.past.length;
  $("#redo").disabled = !history.future.length;
}

function quoted(span) { return `“${escapeHtml(index.slice(span.start, span.end))}”`; }

function suggestionRow(g) {
  const what = g.kind === "entity" ? quoted(g) : g.kind === "relation" ? `${quoted(g.head)} → ${quoted(g.tail)}` : "";
  const by = g.by.map((b) => `${escapeHtml(b.agent)}${b.model_version ? ` v${escapeHtml(b.model_version)}` : ""} <span class="score">${b.score.toFixed(2)}</span>`).join(", ");
  const key = escapeHtml(g.key), name = escapeHtml(`${g.label} ${g.kind === "entity" ? index.slice(g.start, g.end) : ""}`.trim());
  return `<li class="suggestion" data-key="${key}" data-kind="${g.kind}" title="${escapeHtml(describe(g))}">`
    + `<span class="swatch" style="--c:${colors(g.label)}"></span><strong>${escapeHtml(g.label)}</strong> ${what}`
    + ` <span class="muted by">${by}</span>`
    + ` <span class="suggestion-actions"><button type="button" data-accept="${key}" aria-label="${escapeHtml(t.accept)} ${name}">✓</button>`
    + `<button type="button" data-reject="${key}" aria-label="${escapeHtml(t.reject)} ${name}">✗</button></span></li>`;
}

function renderInspector() {
  const box = $("#inspector");
  const id = state.selected;
  if (isSuggestion(id)) {
    const g = suggestionById.get(id);
    const by = g.by.map((b) => `<li>${escapeHtml(b.agent)}${b.model_version ? ` <span class="muted">v${escapeHtml(b.model_version)}</span>` : ""} · ${escapeHtml(t.score)} ${b.score.toFixed(2)}</li>`).join("");
    box.innerHTML = `<p><strong>${t.suggestion}</strong> ${escapeHtml(g.label)}: ${quoted(g)}</p><ul class="suggested-by">${by}</ul><p class="muted">${t.suggestion_help}</p>`;
    return;
  }
  const entity = id && entityById(id);
  if (entity) {
    box.innerHTML = `<p><span class="swatch" style="--c:${colors(entity.label)}"></span><strong>${escapeHtml(entity.label)}</strong> “${escapeHtml(index.slice(entity.start, entity.end))}” <span class="muted">[${entity.start}, ${entity.end})</span></p><p class="muted">${t.entity_help}</p>`
      + `<p><button type="button" id="label-all">${escapeHtml(t.occurrences)} <kbd>Alt+A</kbd></button></p>`;
  } else if (state.relation !== null && content().relations[state.relation]) {
    const r = content().relations[state.relation];
    const h = entityById(r.head), tl = entityById(r.tail);
    box.innerHTML = `<p><strong>${escapeHtml(r.label)}</strong>: “${escapeHtml(index.slice(h.start, h.end))}” → “${escapeHtml(index.slice(tl.start, tl.end))}”</p><p class="muted">${t.relation_help}</p>`;
  } else if (cursorSpan(ed)) {
    const span = cursorSpan(ed);
    box.innerHTML = `<p><strong>${escapeHtml(t.cursor)}</strong> “${escapeHtml(index.slice(span.start, span.end))}” <span class="muted">[${span.start}, ${span.end})</span></p><p class="muted">${t.cursor_help}</p>`;
  } else {
    box.innerHTML = `<p class="muted">${t.nothing_selected}</p>`;
  }
  if (state.armed) box.insertAdjacentHTML("afterbegin", `<p class="armed-hint">${escapeHtml(t.armed.replace("%s", state.armed.name))}</p>`);
  if (state.linking && state.candidate) {
    const tail = entityById(state.candidate);
    if (tail) box.insertAdjacentHTML("afterbegin", `<p class="linking-hint">${escapeHtml(t.candidate)} “${escapeHtml(index.slice(tail.start, tail.end))}”</p>`);
  }
  linkingHint(box, state, t);
}

function decide(taken, decision) {
  decisions.add(taken.flatMap((g) => decisionItems(g, decision)));
}

function groupByKey(key) {
  return [...groups.entities, ...groups.relations, ...groups.sentiment].find((g) => g.key === key);
}

function keepRejected() {
  try { localStorage.setItem(rejectedKey, JSON.stringify([...rejected])); } catch { /* the server has them */ }
}

// Accept suggestion `id` (a rendered suggested entity, or a key from the panel); with
// `relabel`, a label key on a suggested entity: it is taken with that label instead, and
// the suggestion counts as rejected.
function acceptOne(id, relabel) {
  const group = suggestionById.get(id) || groupByKey(id);
  if (!group) return;
  if (group.kind === "entity") {
    const label = relabel || group.label;
    const result = addEntity(content(), schema, { start: group.start, end: group.end, label });
    if (!commit(ed, result, result.id)) return;
    if (label === group.label) decide([group], "accepted");
    else rejectGroups([group]);
    return;
  }
  const { content: next, accepted } = acceptSuggestions(content(), schema, groups, rejected, new Set([group.key]));
  if (!accepted.length) { notify(t.accept_refused); return; }
  commit(ed, { content: next }, null);
  decide(accepted, "accepted");
}

function rejectGroups(taken) {
  for (const g of taken) rejected.add(g.key);
  keepRejected();
  decide(taken, "rejected");
  if (isSuggestion(state.selected) && rejected.has(state.selected.slice(2))) state.selected = null;
  render();
}

function rejectOne(id) {
  const group = suggestionById.get(id) || groupByKey(id);
  if (group) rejectGroups([group]);
}

function acceptAll() {
  const { content: next, accepted } = acceptSuggestions(content(), schema, groups, rejected);
  if (!accepted.length) return;
  commit(ed, { content: next }, null);
  decide(accepted, "accepted");
}

function rejectAll() {
  const pending = suggestions();
  const all = [...pending.entities, ...pending.relations, ...pending.sentiment];
  if (all.length) rejectGroups(all);
}

// Label all occurrences of the selected entity's text (token-aligned, as the dictionary
// agent matches) with its label: one change, so one undo.
function labelAll() {
  const id = state.selected;
  const entity = id && !isSuggestion(id) && entityById(id);
  if (!entity) { notify(t.select_text, "info"); return; }
  const result = labelOccurrences(content(), schema, id, tokensOf(ed).occurrences(entity.start, entity.end));
  if (result.error) { notify(result.error); return; }
  if (!result.added) { notify(t.occurrences_none, "info"); return; }
  commit(ed, result, id);
  notify(t.occurrences_done.replace("%s", result.added), "info");
}

// The workbench's own keys (../editor/keys.js asks first): Shift+Enter accepts all
// suggestions, Shift+Delete rejects them all, Alt+A labels all occurrences.
function pageKeys(event) {
  if (event.ctrlKey || event.metaKey) return false;
  if (event.shiftKey && !event.altKey && event.key === "Enter") { acceptAll(); return true; }
  if (event.shiftKey && !event.altKey && (event.key === "Delete" || event.key === "Backspace")) { rejectAll(); return true; }
  if (event.altKey && !event.shiftKey && event.code === "KeyA") { labelAll(); return true; }
  return false;
}

async function submit() {
  notify("");
  decisions.flush(); // not awaited: decisions never hold up a submit
  const ok = await saver.flush("submitted");
  if (ok) window.location.assign(data.urls.next);
}

wireClicks(ed);
wireKeys(ed, { ignore: "#skip-dialog" });
wireButtons(ed);
wireList(ed);
$("#submit").addEventListener("click", submit);
$("#accept-all").addEventListener("click", acceptAll);
$("#reject-all").addEventListener("click", rejectAll);
$("#suggestion-list").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-accept],button[data-reject]");
  if (!button) return;
  if (button.dataset.accept) acceptOne(button.dataset.accept);
  else rejectOne(button.dataset.reject);
});
$("#inspector").addEventListener("click", (event) => {
  if (event.target.closest("#label-all")) labelAll();
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
  decisions.flush();
  if (!saver.unsaved) return;
  saver.flush();
  event.preventDefault();
});

new ResizeObserver(() => renderArrows()).observe(textEl);

decisions.flush(); // left by an earlier visit to this document
decisions.resend(); // and to others
const recovered = recover(ed);
render();
wrap.focus({ preventScroll: true }); // the keys work at once: arrows, Tab, label keys
showSaveState(recovered ? "pending" : "saved");
document.body.dataset.workbench = "ready";
