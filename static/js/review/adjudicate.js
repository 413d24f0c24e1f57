// Adjudication: one lane per annotator (read-only, agreements marked) and the gold lane,
// edited with the workbench's modules and the gestures and keys of ../editor/; saved through
// the gold API with its version.
import { History, sentimentOf } from "../workbench/model.js";
import { drawArrows, renderText } from "../workbench/render.js";
import { Saver } from "../workbench/save.js";
import { wireClicks } from "../editor/clicks.js";
import { commit, recover } from "../editor/edits.js";
import { wireButtons, wireKeys } from "../editor/keys.js";
import { notify, saveStateShower } from "../editor/notice.js";
import { $, escapeHtml, readPage } from "../editor/page.js";
import { linkingHint } from "../editor/relations.js";
import { markSelection } from "../editor/selection.js";
import * as cmp from "./compare.js";

const page = readPage("review-data");
const { data, t, index, schema, textEl, wrap, svg, colors, directed } = page;
const showSaveState = saveStateShower(t);
const multi = data.project.multi_label;
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

const ed = {
  ...page, state, history, saver, content, render, renderArrows, renderInspector, save,
  beforeSelect: () => { state.pick = null; },
  afterSelect: renderLanes,
  pending: {
    has: () => Boolean(state.pick),
    accept: () => act(state.pick, "accept"),
    reject: () => act(state.pick, "reject"),
  },
};

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
  markSelection(textEl, state);
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
  linkingHint(box, state, t);
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
  commit(ed, result);
}

function pick(value) {
  state.pick = value;
  if (value) { state.selected = null; state.relation = null; state.linking = null; }
  markSelection(textEl, state); renderArrows(); renderLanes(); renderInspector();
}

for (const el of laneEls) {
  const n = Number(el.dataset.lane);
  el.addEventListener("click", (event) => {
    const accept = event.target.closest("button.accept-lane");
    if (accept) { commit(ed, { content: cmp.whole(lanes[n], multi) }, null); return; }
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
wireClicks(ed);
wireKeys(ed);
wireButtons(ed);
$("#save-gold").addEventListener("click", save);

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

window.addEventListener("beforeunload", (event) => {
  if (saver.unsaved) event.preventDefault();
});

new ResizeObserver(() => { renderArrows(); renderLanes(); }).observe(textEl);

const recovered = recover(ed);
render();
showSaveState(recovered || !stored ? "pending" : "saved");
document.body.dataset.review = "ready";
