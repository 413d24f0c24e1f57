// Adjudication: one lane per annotator (read-only, agreements marked) and the gold lane,
// edited with the workbench's modules and keys; saved through the gold API with its version.
import { TextIndex } from "../workbench/offsets.js";
import {
  History, Schema, addEntity, addRelation, relabelEntity, removeEntity, removeRelation,
  sentimentOf, toggleSentiment,
} from "../workbench/model.js";
import { drawArrows, renderText, textOffset } from "../workbench/render.js";
import { Saver } from "../workbench/save.js";
import * as cmp from "./compare.js";

const data = JSON.parse(document.getElementById("review-data").textContent);
const $ = (sel, root = document) => root.querySelector(sel);
const t = data.messages;
const textEl = $("#text"), wrap = $("#text-wrap"), svg = $("#arrows");
const index = new TextIndex(data.document.text, document.documentElement.lang);
const schema = new Schema(data.labels, data.project, index);
const multi = data.project.multi_label;
const colorOf = new Map(data.labels.map((l) => [l.name, l.color]));
const colors = (name) => colorOf.get(name) || "#888";
const directed = (name) => schema.label("relation", name)?.directed ?? true;
const lanes = data.lanes;
const laneEls = [...document.querySelectorAll(".annotator-lane")];
const counts = cmp.tally(lanes);
const stored = data.gold.version > 0;

// A saver that never autosaves: gold is written when the reviewer says so.
class GoldSaver extends Saver {
  change(content) {
    if (this.stopped) return;
    this.dirty = content;
    this.keep();
    this.onState("pending");
  }

  save(content) {
    if (this.stopped) return Promise.resolve(false);
    this.dirty = content;
    return this.flush();
  }
}

const initial = stored ? cmp.whole(data.gold, multi) : cmp.shared(lanes, multi);
const history = new History(initial);
// selected/relation: in the gold lane; pick: an annotator's item {lane, kind, i}.
const state = { selected: null, relation: null, linking: null, byId: new Map(), pick: null };
const rejected = new Set(); // "kind|key" of annotators' items the reviewer turned down
const saver = new GoldSaver({
  url: data.urls.gold, version: data.gold.version, status: "submitted",
  storageKey: `concord:gold:${data.user}:${data.document.id}`, onState: showSaveState,
});
saver.last = initial;
const content = () => history.current;

function escapeHtml(s) { return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

function shareClass(count) { return count === lanes.length && lanes.length > 0 ? "agree" : "differ"; }

function shareMark(count) {
  const cls = shareClass(count);
  const text = cls === "agree" ? "✓" : `≠ ${t.of.replace("%(n)s", count).replace("%(k)s", lanes.length)}`;
  return `<span class="mark ${cls}">${escapeHtml(text)}</span>`;
}

function tagOf(byId, id) { return (byId.get(id) || []).find((n) => n.classList.contains("tag")); }

function render() {
  const gold = content();
  state.byId = renderText(textEl, index, gold.entities.map((e) => ({ ...e })), colors).byId;
  if (state.selected && !state.byId.has(state.selected)) state.selected = null;
  for (const e of gold.entities) tagOf(state.byId, e.id)?.classList.add(shareClass(counts.entities.get(cmp.entityKey(e)) || 0));
  markSelection();
  renderArrows();
  renderLanes();
  const chosen = sentimentOf(gold);
  for (const button of document.querySelectorAll("[data-sentiment]")) button.setAttribute("aria-pressed", chosen.has(button.dataset.sentiment));
  $("#gold-sentiment").textContent = [...chosen].join(", ") || t.no_sentiment;
  $("#gold-version").textContent = saver.version ? `v${saver.version}` : "";
  $("#undo").disabled = !history.past.length;
  $("#redo").disabled = !history.future.length;
  renderInspector();
}

function renderArrows() {
  drawArrows(svg, wrap, content().relations, state.byId, colors, directed, state.relation);
  content().relations.forEach((r, i) => {
    svg.querySelector(`g.rel[data-index="${i}"]`)?.classList.add(shareClass(counts.relations.get(cmp.relationKey(content(), r)) || 0));
  });
}

function itemRow(kind, i, key, count, inGold, body) {
  const cls = ["item", shareClass(count), inGold ? "in-gold" : "", rejected.has(`${kind}|${key}`) ? "rejected" : ""].join(" ");
  const status = inGold ? `<span class="chip">${t.in_gold}</span>` : rejected.has(`${kind}|${key}`) ? `<span class="chip">${t.rejected}</span>` : "";
  return `<li class="${cls}" data-kind="${kind}" data-i="${i}">${shareMark(count)} ${body} ${status}
    <span class="item-actions"><button type="button" data-act="accept" ${inGold ? "disabled" : ""}>${t.accept}</button><button type="button" data-act="reject">${t.reject}</button></span></li>`;
}

function entityBody(e) {
  return `<span class="swatch" style="--c:${colors(e.label)}"></span><strong>${escapeHtml(e.label)}</strong> “${escapeHtml(index.slice(e.start, e.end))}”`;
}

function renderLanes() {
  const gold = content();
  lanes.forEach((lane, n) => {
    const el = laneEls[n];
    const items = lane.entities.map((e) => ({ ...e, id: `L${n}:${e.id}` }));
    const { byId } = renderText($(".lane-text", el), index, items, colors);
    lane.entities.forEach((e, i) => {
      const tag = tagOf(byId, `L${n}:${e.id}`);
      if (!tag) return;
      tag.classList.add(shareClass(counts.entities.get(cmp.entityKey(e))));
      tag.classList.toggle("in-gold", Boolean(cmp.goldEntity(gold, e)));
      tag.classList.toggle("rejected", rejected.has(`entity|${cmp.entityKey(e)}`));
      tag.classList.toggle("selected", state.pick?.lane === n && state.pick.kind === "entity" && state.pick.i === i);
      tag.dataset.i = i;
    });
    const rels = lane.relations.map((r) => ({ ...r, head: `L${n}:${r.head}`, tail: `L${n}:${r.tail}` }));
    const pickedRel = state.pick?.lane === n && state.pick.kind === "relation" ? state.pick.i : null;
    drawArrows($(".lane-arrows", el), $(".lane-wrap", el), rels, byId, colors, directed, pickedRel);
    lane.relations.forEach((r, i) => {
      $(`.lane-arrows g.rel[data-index="${i}"]`, el)?.classList.add(shareClass(counts.relations.get(cmp.relationKey(lane, r))));
    });
    const rows = lane.entities.map((e, i) => itemRow("entity", i, cmp.entityKey(e), counts.entities.get(cmp.entityKey(e)), Boolean(cmp.goldEntity(gold, e)), entityBody(e)));
    lane.relations.forEach((r, i) => {
      const h = lane.entities.find((e) => e.id === r.head), tl = lane.entities.find((e) => e.id === r.tail);
      const key = cmp.relationKey(lane, r);
      rows.push(itemRow("relation", i, key, counts.relations.get(key), cmp.hasRelation(gold, lane, r),
        `<strong>${escapeHtml(r.label)}</strong>: “${escapeHtml(index.slice(h.start, h.end))}” → “${escapeHtml(index.slice(tl.start, tl.end))}”`));
    });
    [...sentimentOf(lane)].forEach((name, i) => {
      rows.push(itemRow("sentiment", i, name, counts.sentiment.get(name), sentimentOf(gold).has(name),
        `<span class="swatch" style="--c:${colors(name)}"></span>${escapeHtml(name)}`));
    });
    $(".lane-items", el).innerHTML = rows.join("");
    if (state.pick?.lane === n) $(".lane-items", el).children[rowIndex(lane, state.pick)]?.classList.add("picked");
  });
}

function rowIndex(lane, pick) {
  return pick.kind === "entity" ? pick.i : pick.kind === "relation" ? lane.entities.length + pick.i
    : lane.entities.length + lane.relations.length + pick.i;
}

function renderInspector() {
  const box = $("#inspector");
  const gold = content();
  const entity = state.selected && gold.entities.find((e) => e.id === state.selected);
  if (state.pick) {
    box.innerHTML = `<p><strong>${escapeHtml(lanes[state.pick.lane].annotator)}</strong></p><p class="muted">${t.lane_help}</p>`;
  } else if (entity) {
    box.innerHTML = `<p>${entityBody(entity)} <span class="muted">[${entity.start}, ${entity.end})</span></p><p class="muted">${t.entity_help}</p>`;
  } else if (state.relation !== null && gold.relations[state.relation]) {
    box.innerHTML = `<p><strong>${escapeHtml(gold.relations[state.relation].label)}</strong></p><p class="muted">${t.relation_help}</p>`;
  } else {
    box.innerHTML = `<p class="muted">${t.nothing_selected}</p>`;
  }
  if (state.linking) box.insertAdjacentHTML("afterbegin", `<p class="linking-hint">${escapeHtml(t.linking.replace("%s", state.linking))}</p>`);
}

function markSelection() {
  for (const node of textEl.querySelectorAll(".selected")) node.classList.remove("selected");
  for (const node of state.byId.get(state.selected) || []) node.classList.add("selected");
  textEl.classList.toggle("linking", Boolean(state.linking));
}

function notify(message, kind = "error") {
  const banner = $("#notice");
  banner.textContent = message;
  banner.className = `wb-notice ${kind}`;
  banner.hidden = !message;
}

function commit(result, select) {
  if (result.error) { notify(result.error); return false; }
  notify("");
  if (result.content !== content()) {
    history.push(result.content);
    saver.change(result.content);
  }
  if (select !== undefined) { state.selected = select; state.relation = null; }
  render();
  return true;
}

// Annotators' items: accept into the gold, or reject (and take out of the gold).
function act(pick, action) {
  const lane = lanes[pick.lane], gold = content();
  const accept = action === "accept";
  let result, key;
  if (pick.kind === "entity") {
    const e = lane.entities[pick.i];
    key = cmp.entityKey(e);
    result = accept ? cmp.acceptEntity(gold, schema, e) : cmp.rejectEntity(gold, e);
  } else if (pick.kind === "relation") {
    const r = lane.relations[pick.i];
    key = cmp.relationKey(lane, r);
    result = accept ? cmp.acceptRelation(gold, schema, lane, r) : cmp.rejectRelation(gold, lane, r);
  } else {
    key = [...sentimentOf(lane)][pick.i];
    result = accept ? cmp.acceptSentiment(gold, schema, key) : cmp.rejectSentiment(gold, schema, key);
  }
  if (!result.error) accept ? rejected.delete(`${pick.kind}|${key}`) : rejected.add(`${pick.kind}|${key}`);
  commit(result);
}

function pick(value) {
  state.pick = value;
  if (value) { state.selected = null; state.relation = null; state.linking = null; }
  markSelection(); renderArrows(); renderLanes(); renderInspector();
}

for (const el of laneEls) {
  const n = Number(el.dataset.lane);
  el.addEventListener("click", (event) => {
    const accept = event.target.closest("button.accept-lane");
    if (accept) { commit({ content: cmp.whole(lanes[n], multi) }, null); return; }
    const row = event.target.closest("li.item");
    const button = event.target.closest("button[data-act]");
    if (row) {
      const p = { lane: n, kind: row.dataset.kind, i: Number(row.dataset.i) };
      if (button) { act(p, button.dataset.act); pick(null); } else pick(p);
      return;
    }
    const tag = event.target.closest(".lane-text [data-id], .lane-text [data-ids]");
    if (tag) {
      const id = tag.dataset.id || tag.dataset.ids.split(" ").pop();
      const i = lanes[n].entities.findIndex((e) => `L${n}:${e.id}` === id);
      if (i >= 0) pick({ lane: n, kind: "entity", i });
      return;
    }
    const rel = event.target.closest("g.rel");
    if (rel) pick({ lane: n, kind: "relation", i: Number(rel.dataset.index) });
  });
}

// The gold lane: the workbench's gestures and keys.
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
    if (!state.selected) { notify(t.select_head); return; }
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
  } else if (state.selected) {
    commit(relabelEntity(content(), schema, state.selected, label.name), state.selected);
  } else {
    notify(t.select_text, "info");
  }
}

function select(id) {
  state.pick = null;
  if (state.linking && id) {
    const label = state.linking;
    state.linking = null;
    const result = addRelation(content(), schema, { head: state.selected, tail: id, label });
    if (result.content) { commit(result, null); state.relation = result.index; renderArrows(); renderInspector(); } else { notify(result.error); markSelection(); renderInspector(); }
    return;
  }
  state.selected = id;
  state.relation = null;
  markSelection(); renderArrows(); renderLanes(); renderInspector();
}

textEl.addEventListener("click", (event) => {
  if (!window.getSelection().isCollapsed) return;
  const node = event.target.closest("[data-ids],[data-id]");
  if (!node) { if (!state.linking) select(null); return; }
  if (node.dataset.id) { select(node.dataset.id); return; }
  const ids = node.dataset.ids.split(" ").reverse();
  select(ids[(ids.indexOf(state.selected) + 1) % ids.length]);
});

svg.addEventListener("click", (event) => {
  const g = event.target.closest("g.rel");
  if (!g) return;
  state.selected = null; state.pick = null;
  state.relation = Number(g.dataset.index);
  markSelection(); renderArrows(); renderInspector();
});

function deleteSelected() {
  if (state.pick) { act(state.pick, "reject"); return; }
  if (state.selected) commit(removeEntity(content(), state.selected), null);
  else if (state.relation !== null) { const i = state.relation; state.relation = null; commit(removeRelation(content(), i)); }
}

function undo(redo) {
  const next = redo ? history.redo() : history.undo();
  if (!next) return;
  state.selected = null; state.relation = null; state.linking = null;
  saver.change(next);
  render();
}

async function save() {
  notify("");
  const ok = await saver.save(content());
  if (!ok) return;
  render();
  notify(t.saved_version.replace("%s", saver.version) + (data.urls.next ? "" : ` ${t.nothing_next}`), "info");
  const status = $("#doc-status");
  status.className = "status status-reviewed";
  status.textContent = t.reviewed;
  $("#next-document").hidden = false;
  $("#next-document").focus();
  addRevision(saver.version);
}

// The saved version at the top of the history (the page shows the rest as it was loaded).
function addRevision(version) {
  $("#no-history")?.remove();
  let list = $("#history ol");
  if (!list) { list = document.createElement("ol"); list.className = "revisions"; $("#history").append(list); }
  list.insertAdjacentHTML("afterbegin", `<li data-version="${version}"><strong>v${version}</strong> ${escapeHtml(data.user)} <span class="muted">${t.just_now}</span></li>`);
}

document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea, select, [contenteditable=true]")) return;
  const mod = event.ctrlKey || event.metaKey;
  if (mod && event.key === "Enter") { event.preventDefault(); save(); return; }
  if (mod && (event.key === "z" || event.key === "Z")) { event.preventDefault(); undo(event.shiftKey); return; }
  if (mod && event.key === "y") { event.preventDefault(); undo(true); return; }
  if (mod || event.altKey) return;
  if (event.key === "?") { event.preventDefault(); toggleHelp(); return; }
  if (event.key === "Escape") { state.linking = null; pick(null); select(null); notify(""); return; }
  if (event.key === "Delete" || event.key === "Backspace") { event.preventDefault(); deleteSelected(); return; }
  if (event.key === "Enter" && state.pick) { event.preventDefault(); act(state.pick, "accept"); return; }
  const label = schema.byKey.get(event.key) || schema.byKey.get(event.key.toLowerCase());
  if (label) { event.preventDefault(); applyLabel(label); }
});

for (const button of document.querySelectorAll("[data-label]")) {
  button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the text selection
  button.addEventListener("click", () => applyLabel(data.labels.find((l) => l.id === Number(button.dataset.label))));
}
$("#undo").addEventListener("click", () => undo(false));
$("#redo").addEventListener("click", () => undo(true));
$("#save-gold").addEventListener("click", save);
$("#help-button").addEventListener("click", toggleHelp);
$("#reload").addEventListener("click", () => window.location.reload());

function toggleHelp() {
  const dialog = $("#help");
  dialog.open ? dialog.close() : dialog.showModal();
}

function showSaveState(name, detail = {}) {
  const el = $("#save-state");
  el.dataset.state = name;
  el.textContent = (t[`save_${name}`] || "").replace("%s", detail.retryIn ? Math.round(detail.retryIn / 1000) : 0);
  $("#reload").hidden = name !== "conflict";
  if (name === "conflict") notify(t.save_conflict);
  if (name === "forbidden") notify(detail.detail || t.save_forbidden);
  if (name === "invalid") notify([detail.detail, ...(detail.errors || []).map((e) => `${e.field}: ${e.message}`)].join("\n"));
}

window.addEventListener("beforeunload", (event) => {
  if (saver.unsaved) event.preventDefault();
});

new ResizeObserver(() => { renderArrows(); renderLanes(); }).observe(textEl);

const recovered = saver.recover();
if (recovered) { history.push(recovered); saver.change(recovered); notify(t.recovered, "info"); }
render();
showSaveState(recovered || !stored ? "pending" : "saved");
document.body.dataset.review = "ready";
