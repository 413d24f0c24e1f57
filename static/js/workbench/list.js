// The annotation list: the entities and relations of the edited annotation, in text order,
// as a listbox. Up and Down move through it (the item in focus is selected, and the text
// scrolls to it), a label key relabels, Delete removes, Tab leaves it.
import { select } from "../editor/clicks.js";
import { markSelection } from "../editor/selection.js";
import { $, escapeHtml } from "../editor/page.js";

function quoted(ed, e) { return e ? `“${escapeHtml(ed.index.slice(e.start, e.end))}”` : "?"; }

function items(ed) {
  const c = ed.content();
  const byId = new Map(c.entities.map((e) => [e.id, e]));
  const entities = [...c.entities].sort((x, y) => x.start - y.start || x.end - y.end)
    .map((e) => ({ key: `e:${e.id}`, id: e.id, label: e.label,
                   html: `<strong>${escapeHtml(e.label)}</strong> ${quoted(ed, e)}` }));
  const relations = c.relations.map((r, i) => ({
    key: `r:${i}`, relation: i, label: r.label,
    html: `<strong>${escapeHtml(r.label)}</strong> ${quoted(ed, byId.get(r.head))} → ${quoted(ed, byId.get(r.tail))}`,
  }));
  return [...entities, ...relations];
}

const CHUNK = 300; // items drawn at a time: Down past the last draws the next ones

function current(ed) {
  const { state } = ed;
  if (state.selected) return `e:${state.selected}`;
  return state.relation !== null ? `r:${state.relation}` : null;
}

// Draw the list again, keeping the focus on the same item when it had it.
export function renderList(ed) {
  const box = $("#annotation-list");
  if (!box) return;
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  const all = items(ed);
  const chosen = current(ed);
  $("#annotation-count").textContent = all.length;
  ed.listLimit = Math.max(ed.listLimit || CHUNK, CHUNK);
  const shown = all.slice(0, ed.listLimit);
  const more = all.length - shown.length;
  box.innerHTML = shown.map((it, i) => {
    const roving = it.key === chosen || (!chosen && i === 0) ? "0" : "-1";
    return `<li role="option" tabindex="${roving}" data-key="${escapeHtml(it.key)}" aria-selected="${it.key === chosen}">`
      + `<span class="swatch" style="--c:${ed.colors(it.label)}"></span>${it.html}</li>`;
  }).join("") + (more > 0 ? `<li class="muted more" role="presentation">${escapeHtml(ed.t.more_annotations.replace("%s", more))}</li>` : "")
    || `<li class="muted" role="presentation">${escapeHtml(ed.t.no_annotations)}</li>`;
  if (focused) box.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
}

// The list's marks after a selection changed elsewhere (in the text, by Tab).
export function markList(ed) {
  const chosen = current(ed);
  for (const li of document.querySelectorAll("#annotation-list [data-key]")) {
    const on = li.dataset.key === chosen;
    li.setAttribute("aria-selected", on);
    li.tabIndex = on ? 0 : -1;
  }
  if (!chosen) document.querySelector("#annotation-list [data-key]")?.setAttribute("tabindex", "0");
}

function choose(ed, li) {
  const key = li.dataset.key;
  const { state } = ed;
  if (key.startsWith("e:")) select(ed, key.slice(2));
  else {
    state.selected = null;
    state.relation = Number(key.slice(2));
    markSelection(ed.textEl, state); ed.renderArrows(); ed.renderInspector(); markList(ed);
  }
  const target = key.startsWith("e:") ? state.byId.get(key.slice(2))?.[0] : null;
  target?.scrollIntoView({ block: "nearest", inline: "nearest" });
}

export function wireList(ed) {
  const box = $("#annotation-list");
  if (!box) return;
  box.addEventListener("click", (event) => {
    const li = event.target.closest("[data-key]");
    if (li) { li.focus(); choose(ed, li); }
  });
  box.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Home" && event.key !== "End") return;
    let all = [...box.querySelectorAll("[data-key]")];
    if (!all.length) return;
    event.preventDefault();
    event.stopPropagation();
    const at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && at === all.length - 1 && box.querySelector(".more")) {
      ed.listLimit += CHUNK; // the next items, drawn when they are reached
      renderList(ed);
      all = [...box.querySelectorAll("[data-key]")];
    }
    const next = event.key === "Home" ? 0 : event.key === "End" ? all.length - 1
      : Math.max(0, Math.min(all.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)));
    all[next].focus();
    choose(ed, all[next]);
  });
}
