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

const BLOCK = 1500; // UTF-16 units: a paragraph longer than this is cut at a space
export const LONG = 200_000; // UTF-16 units: a longer text is drawn as it comes into view

// The text's paragraphs (each up to and with its line break) and, within them, its blocks
// as [a, b) UTF-16 ranges, long paragraphs cut after a space. Blocks are inline, so they
// change nothing in the layout; an edit draws again only the blocks it touches.
function blockBounds(text) {
  const blocks = [], paragraphs = [];
  let a = 0;
  while (a < text.length) {
    let end = text.indexOf("\n", a);
    end = end < 0 ? text.length : end + 1;
    const first = blocks.length;
    while (a < end) {
      let b = end;
      if (b - a > BLOCK) {
        const space = text.lastIndexOf(" ", a + BLOCK);
        b = space > a ? space + 1 : a + BLOCK;
        while (b < end && (text.charCodeAt(b) & 0xfc00) === 0xdc00) b++; // never between a surrogate pair
      }
      blocks.push([a, b]);
      a = b;
    }
    paragraphs.push([first, blocks.length]);
  }
  return { blocks, paragraphs };
}

function blockOf(bounds, u16) {
  let lo = 0, hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bounds[mid][0] <= u16) lo = mid; else hi = mid - 1;
  }
  return lo;
}

// One block's HTML: its segments, and the tags of the spans that start in it.
function blockHtml(text, [a0, b0], spans, colors) {
  const cuts = new Set([a0, b0]);
  for (const s of spans) { if (s.a > a0) cuts.add(s.a); if (s.b < b0) cuts.add(s.b); }
  const points = [...cuts].sort((x, y) => x - y);
  const starting = spans.filter((s) => s.a >= a0).sort((x, y) => x.a - y.a || y.b - x.b);
  const html = [];
  let next = 0;
  for (let i = 0; i < points.length - 1; i++) {
    const a = points[i], b = points[i + 1];
    let stack = 0;
    while (next < starting.length && starting[next].a === a) html.push(tagHtml(starting[next++], colors, stack++));
    const active = spans.filter((s) => s.a <= a && s.b > a);
    html.push(segmentHtml(text, a, b, active, colors));
  }
  return html.join("");
}

// What a block shows, as a string: it is drawn again only when this changes.
function signature(spans, colors) {
  return spans.map((s) => `${s.id}|${s.a}|${s.b}|${s.label}|${s.level}|${s.suggestion ? 1 : 0}|${s.title || ""}|${colors(s.label)}`).join("\n");
}

// A text drawn in paragraphs of blocks, kept on its element between renders. A long text
// (over LONG) starts as plain text: a block gets its spans when its paragraph comes near
// the view (and the paragraphs skip layout off screen: content-visibility), or when
// something asks for its elements (byId.get, point).
class TextView {
  constructor(el, index) {
    this.el = el;
    this.index = index;
    const { blocks, paragraphs } = blockBounds(index.text);
    this.bounds = blocks;
    this.drawn = blocks.map(() => null); // the signature each block shows
    this.wanted = blocks.map(() => ""); // the spans each should show, and their signature
    this.nodes = new Map(); // per block: id -> its elements
    this.long = index.text.length > LONG;
    this.live = blocks.map(() => !this.long);
    const text = index.text;
    el.classList.toggle("long-text", this.long);
    el.innerHTML = paragraphs.map(([first, last]) => `<div class="para" dir="auto">${
      this.bounds.slice(first, last).map(([a, b], k) => `<span class="blk" data-b="${first + k}" data-a="${a}">${esc(text.slice(a, b))}</span>`).join("")}</div>`).join("");
    this.blocks = [...el.querySelectorAll(".blk")];
    if (this.long) this.watch();
  }

  watch() {
    const near = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        for (const block of entry.target.querySelectorAll(".blk")) this.show(Number(block.dataset.b));
      }
    }, { root: this.el.closest(".wb-text-wrap"), rootMargin: "2000px 0px" });
    for (const para of this.el.children) near.observe(para);
  }

  // Block i as it should be now, drawn if it is not.
  show(i) {
    this.live[i] = true;
    const [sig, spans] = this.wanted[i] || ["", []];
    if (this.drawn[i] === sig) return;
    this.drawn[i] = sig;
    const block = this.blocks[i];
    block.innerHTML = blockHtml(this.index.text, this.bounds[i], spans, this.colors);
    const found = new Map();
    for (const node of block.querySelectorAll("[data-ids],[data-id]")) {
      for (const id of node.dataset.ids ? node.dataset.ids.split(" ") : [node.dataset.id]) {
        if (!found.has(id)) found.set(id, []);
        found.get(id).push(node);
      }
    }
    this.nodes.set(i, found);
  }

  render(items, colors) {
    this.colors = colors;
    const spans = layout(this.index, items);
    const per = this.bounds.map(() => []);
    const where = new Map(); // id -> the blocks it is drawn in
    for (const s of spans) {
      if (s.b <= s.a) continue;
      const first = blockOf(this.bounds, s.a), last = blockOf(this.bounds, s.b - 1);
      const blocks = where.get(s.id) || [];
      for (let i = first; i <= last; i++) { per[i].push(s); blocks.push(i); }
      where.set(s.id, blocks);
    }
    per.forEach((inBlock, i) => {
      const sig = signature(inBlock, colors);
      this.wanted[i] = [sig, inBlock];
      if (this.live[i] && this.drawn[i] !== sig) this.show(i);
    });
    const byId = {
      has: (id) => where.has(id),
      get: (id) => {
        if (!where.has(id)) return undefined;
        return where.get(id).flatMap((i) => { this.show(i); return this.nodes.get(i)?.get(id) || []; });
      },
    };
    return { byId };
  }

  // A UTF-16 offset -> the DOM point [text node, offset] in its block, the block drawn.
  point(u16) {
    const i = blockOf(this.bounds, Math.min(u16, Math.max(0, this.index.text.length - 1)));
    this.show(i);
    const segs = this.blocks[i].querySelectorAll(".seg");
    let seg = segs[0];
    for (const s of segs) { if (Number(s.dataset.a) <= u16) seg = s; else break; }
    const node = seg.firstChild;
    return [node, Math.max(0, Math.min(u16 - Number(seg.dataset.a), node.length))];
  }
}

// Render into `el`; returns {byId: {has(id), get(id) -> elements}} for selection
// highlighting. Only the blocks whose spans changed since the last call are drawn again.
export function renderText(el, index, items, colors) {
  if (!el._view || el._view.index !== index) el._view = new TextView(el, index);
  return el._view.render(items, colors);
}

// The first segment at or after `node` in the text (its start is where `node` sits).
function segAtOrAfter(el, node) {
  for (let n = node; n && n !== el; n = n.parentElement) {
    for (let s = n; s; s = s.nextElementSibling) {
      if (s.classList?.contains("seg")) return s;
      const inner = s.querySelector?.(".seg");
      if (inner) return inner;
    }
  }
  return null;
}

// A DOM boundary point (node, offset) inside `el` -> a UTF-16 offset into the text.
export function textOffset(el, node, offset, length) {
  if (node.nodeType === Node.TEXT_NODE) {
    const seg = node.parentElement.closest(".seg");
    if (seg && el.contains(seg)) return Number(seg.dataset.a) + offset;
    const plain = node.parentElement.classList.contains("blk") ? node.parentElement : null;
    if (plain && el.contains(plain)) return Number(plain.dataset.a) + offset; // not drawn yet
    node = node.parentElement;
    offset = 0;
  }
  if (!el.contains(node)) return null;
  const seg = node.closest(".seg");
  if (seg && seg !== el && el.contains(seg)) return Number(seg.dataset.a) + (offset > 0 ? seg.textContent.length : 0);
  if (node === el || node.classList.contains("blk") || node.classList.contains("para")) {
    const child = node.childNodes[offset];
    if (!child) {
      const after = node === el ? null : segAtOrAfter(el, node.nextElementSibling);
      return after ? Number(after.dataset.a) : length;
    }
    const found = segAtOrAfter(el, child);
    return found ? Number(found.dataset.a) : length;
  }
  const found = segAtOrAfter(el, node.closest(".tag-at") || node);
  return found ? Number(found.dataset.a) : length;
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
