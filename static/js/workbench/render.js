// Drawing the text with its entities (and pending suggestions) as flat segments, mapping
// DOM selections back to text offsets, and drawing relations as SVG arrows.

const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const esc = (s) => s.replace(/[&<>"']/g, (c) => ESC[c]);
const SVG = "http://www.w3.org/2000/svg";

function layout(index, items) {
  // UTF-16 bounds and a stacking level per item (interval partitioning), outer spans first.
  const spans = items.map((it) => ({ ...it, a: index.toUtf16(it.start), b: index.toUtf16(it.end) }));
  spans.sort((x, y) => x.a - y.a || y.b - x.b);
  const ends = [];
  for (const s of spans) {
    let level = ends.findIndex((end) => end <= s.a);
    if (level === -1) { level = ends.length; ends.push(0); }
    ends[level] = s.b;
    s.level = level;
  }
  return spans;
}

function segmentHtml(text, a, b, active, colors) {
  const chunk = esc(text.slice(a, b));
  if (!active.length) return `<span class="seg" data-a="${a}">${chunk}</span>`;
  const entities = active.filter((s) => !s.suggestion);
  const inner = (entities.length ? entities : active).reduce((x, y) => (y.level > x.level ? y : x));
  // One 2px bar per span under the text, by level, with a 1px gap of background between.
  const bars = [...entities].sort((x, y) => x.level - y.level)
    .map((s) => `0 ${2 + 3 * s.level}px 0 0 ${colors(s.label)},0 ${3 + 3 * s.level}px 0 0 var(--card)`)
    .join(",");
  const cls = entities.length ? "seg ent" : "seg sug";
  const dashed = active.some((s) => s.suggestion) ? " has-sug" : "";
  const ids = active.map((s) => s.id).join(" ");
  const style = `--c:${colors(inner.label)};--lv:${active.length}${bars ? `;box-shadow:${bars}` : ""}`;
  return `<span class="${cls}${dashed}" data-a="${a}" data-ids="${esc(ids)}" style="${style}">${chunk}</span>`;
}

// A tag sits above the text in an anchor of no width, so that it never moves the text.
// `stack`: how many tags start at the same place before it (they stack upwards).
function tagHtml(s, colors, stack) {
  const cls = s.suggestion ? "tag sug" : "tag";
  return `<span class="tag-at"><span class="${cls}" data-id="${esc(s.id)}" data-tag="${esc(s.label)}" style="--c:${colors(s.label)};--tl:${stack}" title="${esc(s.title || s.label)}">${esc(s.label)}</span></span>`;
}

// Render into `el`; returns {byId: Map(id -> elements)} for selection highlighting.
export function renderText(el, index, items, colors) {
  const text = index.text;
  const spans = layout(index, items);
  const cuts = new Set([0, text.length]);
  for (const s of spans) { cuts.add(s.a); cuts.add(s.b); }
  const points = [...cuts].sort((x, y) => x - y);
  const html = [];
  let active = [];
  let next = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i], b = points[i + 1];
    active = active.filter((s) => s.b > a);
    let stack = 0;
    while (next < spans.length && spans[next].a === a) {
      html.push(tagHtml(spans[next], colors, stack++));
      active.push(spans[next++]);
    }
    html.push(segmentHtml(text, a, b, active, colors));
  }
  el.innerHTML = html.join("");
  const byId = new Map();
  for (const node of el.querySelectorAll("[data-ids],[data-id]")) {
    const ids = node.dataset.ids ? node.dataset.ids.split(" ") : [node.dataset.id];
    for (const id of ids) {
      if (!byId.has(id)) byId.set(id, []);
      byId.get(id).push(node);
    }
  }
  return { byId };
}

function segmentStart(node) {
  // The text offset where a child of the text element starts (a tag starts at its segment).
  let n = node;
  while (n && !(n.classList && n.classList.contains("seg"))) n = n.nextElementSibling;
  return n ? Number(n.dataset.a) : null;
}

// A DOM boundary point (node, offset) inside `el` -> a UTF-16 offset into the text.
export function textOffset(el, node, offset, length) {
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = node.parentElement.closest(".seg");
    if (seg && el.contains(seg)) return Number(seg.dataset.a) + offset;
    node = node.parentElement;
    offset = 0;
  }
  if (node === el) {
    const child = el.childNodes[offset];
    return child ? segmentStart(child) ?? length : length;
  }
  const top = [...el.children].find((c) => c.contains(node));
  if (!top) return null;
  if (top.classList.contains("seg")) {
    return Number(top.dataset.a) + (offset > 0 ? top.textContent.length : 0);
  }
  return segmentStart(top) ?? length;
}

function anchor(els, wrap) {
  const tag = els.find((e) => e.classList.contains("tag")) || els[0];
  const r = tag.getBoundingClientRect(), w = wrap.getBoundingClientRect();
  return { x: r.left - w.left + wrap.scrollLeft + r.width / 2, y: r.top - w.top + wrap.scrollTop };
}

function svgEl(name, attrs) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

// Relations as arcs from the head's tag to the tail's tag, labelled at the top; suggested
// ones ({head, tail, label, title}, ends named by rendered ids) dashed, and not clickable.
export function drawArrows(svg, wrap, relations, byId, colors, directed, selected, suggested = []) {
  svg.setAttribute("width", wrap.scrollWidth);
  svg.setAttribute("height", wrap.scrollHeight);
  const defs = svg.querySelector("defs");
  svg.replaceChildren(defs);
  const all = [...relations, ...suggested.map((r) => ({ ...r, suggestion: true }))];
  all.forEach((r, i) => {
    const h = byId.get(r.head), t = byId.get(r.tail);
    if (!h || !t) return;
    const p = anchor(h, wrap), q = anchor(t, wrap);
    const lift = 14 + Math.min(36, Math.abs(q.x - p.x) / 10);
    const top = Math.min(p.y, q.y) - lift;
    const d = `M ${p.x} ${p.y} C ${p.x} ${top}, ${q.x} ${top}, ${q.x} ${q.y}`;
    const g = r.suggestion
      ? svgEl("g", { class: "rel sug", style: `--c:${colors(r.label)}` })
      : svgEl("g", { class: `rel${i === selected ? " selected" : ""}`, "data-index": i, style: `--c:${colors(r.label)}` });
    if (r.title) { const title = svgEl("title", {}); title.textContent = r.title; g.append(title); }
    g.append(svgEl("path", { d, class: "hit" }));
    g.append(svgEl("path", { d, class: "line", "marker-end": directed(r.label) ? "url(#arrowhead)" : "" }));
    const label = svgEl("text", { x: (p.x + q.x) / 2, y: top + lift * 0.25 - 2, "text-anchor": "middle" });
    label.textContent = r.label;
    g.append(label);
    svg.append(g);
    const box = label.getBBox();
    g.insertBefore(svgEl("rect", { x: box.x - 3, y: box.y - 1, width: box.width + 6, height: box.height + 2, rx: 3 }), label);
  });
}
