// The annotation being edited: entities, relations, sentiment, with the project's rules
// and an undo history. Pure: no DOM. Offsets are code points.

// The rules' messages, in English until the page gives the server's translations
// (useMessages(data.messages)); {name} placeholders are filled in by say().
const TEXT = {
  no_entity_label: "No entity label {label}.",
  no_relation_label: "No relation label {label}.",
  no_sentiment_label: "No sentiment label {label}.",
  select_first: "Select some text first.",
  entity_exists: "That entity is already there.",
  overlap_refused: "It overlaps {label} {span}, and this project does not allow overlapping spans.",
  no_entity: "No such entity.",
  relation_two: "A relation joins two entities.",
  relation_different: "A relation joins two different entities.",
  head_refused: "{relation} does not allow a {label} entity at its head (allowed: {allowed}).",
  tail_refused: "{relation} does not allow a {label} entity at its tail (allowed: {allowed}).",
  relation_exists: "That relation is already there.",
};
let text = TEXT;

export function useMessages(messages) { text = { ...TEXT, ...messages }; }

export function say(key, values = {}) {
  return String(text[key] ?? TEXT[key]).replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
}

export function emptyContent(multi) {
  return { entities: [], relations: [], sentiment: multi ? [] : null };
}

export class Schema {
  // `index`, the document's TextIndex (offsets.js), names spans by their text in messages.
  constructor(labels, project, index = null) {
    this.project = project;
    this.index = index;
    this.labels = labels;
    this.byKind = { entity: new Map(), relation: new Map(), sentiment: new Map() };
    for (const label of labels) this.byKind[label.kind].set(label.name, label);
    this.byKey = new Map(labels.filter((l) => l.shortcut).map((l) => [l.shortcut, l]));
  }

  label(kind, name) { return this.byKind[kind].get(name); }

  // An entity's text: the document's code points [start, end), as Python's text[start:end]
  // (entities made in the browser carry no `text` of their own).
  spanText(entity) {
    return this.index ? this.index.slice(entity.start, entity.end) : entity.text ?? "";
  }
}

function nextId(entities) {
  let max = 0;
  for (const e of entities) {
    const m = /^T(\d+)$/.exec(e.id);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `T${max + 1}`;
}

const clone = (content) => structuredClone(content);

export function overlapping(entities, start, end, except) {
  return entities.find((e) => e.id !== except && e.start < end && start < e.end);
}

// Each operation returns {content} with a new object, or {error} and leaves it alone.
export function addEntity(content, schema, { start, end, label }) {
  if (!schema.label("entity", label)) return { error: say("no_entity_label", { label }) };
  if (!(start < end)) return { error: say("select_first") };
  if (content.entities.some((e) => e.start === start && e.end === end && e.label === label)) {
    return { error: say("entity_exists") };
  }
  const clash = overlapping(content.entities, start, end);
  if (clash && !schema.project.allow_overlap) {
    const text = schema.spanText(clash);
    const which = text ? `“${text}”` : `[${clash.start}, ${clash.end})`;
    return { error: say("overlap_refused", { label: clash.label, span: which }) };
  }
  const next = clone(content);
  const id = nextId(next.entities);
  next.entities.push({ id, start, end, label });
  next.entities.sort((a, b) => a.start - b.start || b.end - a.end);
  return { content: next, id };
}

export function removeEntity(content, id) {
  const next = clone(content);
  next.entities = next.entities.filter((e) => e.id !== id);
  next.relations = next.relations.filter((r) => r.head !== id && r.tail !== id);
  return { content: next };
}

export function relabelEntity(content, schema, id, label) {
  if (!schema.label("entity", label)) return { error: say("no_entity_label", { label }) };
  const next = clone(content);
  const entity = next.entities.find((e) => e.id === id);
  if (!entity) return { error: say("no_entity") };
  entity.label = label;
  const broken = next.relations.find((r) => relationProblem(next, schema, r));
  if (broken) return { error: relationProblem(next, schema, broken) };
  return { content: next };
}

export function relationProblem(content, schema, { head, tail, label }) {
  const spec = schema.label("relation", label);
  if (!spec) return say("no_relation_label", { label });
  const h = content.entities.find((e) => e.id === head);
  const t = content.entities.find((e) => e.id === tail);
  if (!h || !t) return say("relation_two");
  if (h.id === t.id) return say("relation_different");
  if (spec.head.length && !spec.head.includes(h.label)) {
    return say("head_refused", { relation: label, label: h.label, allowed: spec.head.join(", ") });
  }
  if (spec.tail.length && !spec.tail.includes(t.label)) {
    return say("tail_refused", { relation: label, label: t.label, allowed: spec.tail.join(", ") });
  }
  return null;
}

export function addRelation(content, schema, relation) {
  const problem = relationProblem(content, schema, relation);
  if (problem) return { error: problem };
  const same = (r) => r.head === relation.head && r.tail === relation.tail && r.label === relation.label;
  if (content.relations.some(same)) return { error: say("relation_exists") };
  const next = clone(content);
  next.relations.push({ head: relation.head, tail: relation.tail, label: relation.label });
  return { content: next, index: next.relations.length - 1 };
}

export function removeRelation(content, index) {
  const next = clone(content);
  next.relations.splice(index, 1);
  return { content: next };
}

export function toggleSentiment(content, schema, name) {
  if (!schema.label("sentiment", name)) return { error: say("no_sentiment_label", { label: name }) };
  const next = clone(content);
  if (schema.project.multi_label) {
    const chosen = new Set(next.sentiment || []);
    chosen.has(name) ? chosen.delete(name) : chosen.add(name);
    const order = [...schema.byKind.sentiment.keys()];
    next.sentiment = order.filter((n) => chosen.has(n));
  } else {
    next.sentiment = next.sentiment === name ? null : name;
  }
  return { content: next };
}

export function sentimentOf(content) {
  const s = content.sentiment;
  return new Set(Array.isArray(s) ? s : s ? [s] : []);
}

// Suggestions: the agents' proposals as the server gives them (annotation/selectors/agents.py)
// {entities: [{start, end, text, label, agent, model_version, score}], relations: [{head:
// {start, end}, tail: {start, end}, label, …}], sentiment: [{label, …}]}. Two agents that
// propose the same thing make one suggestion, with both agents in `by`. A suggestion is
// named by its key (the server's rejected_suggestions uses the same).
export const suggestionKey = (e) => `${e.start}:${e.end}:${e.label}`;
export const relationKey = (r) => `rel:${r.head.start}:${r.head.end}:${r.tail.start}:${r.tail.end}:${r.label}`;
export const sentimentKey = (s) => `sent:${s.label}`;

function grouped(items, key, kind) {
  const byKey = new Map();
  for (const item of items || []) {
    const k = key(item);
    const by = { agent: item.agent, model_version: item.model_version ?? "", score: item.score ?? 1 };
    const group = byKey.get(k);
    if (group) { group.by.push(by); group.score = Math.max(group.score, by.score); continue; }
    byKey.set(k, { ...item, key: k, kind, score: by.score, by: [by] });
  }
  return [...byKey.values()];
}

export function groupSuggestions(predictions) {
  const p = predictions || {};
  return {
    entities: grouped(p.entities, suggestionKey, "entity"),
    relations: grouped(p.relations, relationKey, "relation"),
    sentiment: grouped(p.sentiment, sentimentKey, "sentiment").sort((a, b) => b.score - a.score),
  };
}

const spanOf = (e) => `${e.start}:${e.end}`;

// The entities of `content` that can be the head (or tail) of relation `label` at `span`.
function endsAt(content, schema, span, label, side) {
  const spec = schema.label("relation", label);
  const allowed = spec ? spec[side] : [];
  return content.entities.filter((e) => e.start === span.start && e.end === span.end
    && (!allowed.length || allowed.includes(e.label)));
}

function hasRelation(content, schema, r) {
  const heads = new Set(endsAt(content, schema, r.head, r.label, "head").map((e) => e.id));
  const tails = new Set(endsAt(content, schema, r.tail, r.label, "tail").map((e) => e.id));
  return content.relations.some((x) => x.label === r.label && heads.has(x.head) && tails.has(x.tail));
}

// The suggestions (grouped) the annotator has neither taken nor rejected. A sentiment is no
// longer offered once one is chosen, unless the project allows several.
export function pendingSuggestions(content, schema, groups, rejected) {
  const have = new Set(content.entities.map(suggestionKey));
  const chosen = sentimentOf(content);
  const open = schema.project.multi_label || chosen.size === 0;
  return {
    entities: groups.entities.filter((e) => !have.has(e.key) && !rejected.has(e.key)),
    relations: groups.relations.filter((r) => !rejected.has(r.key) && !hasRelation(content, schema, r)),
    sentiment: open ? groups.sentiment.filter((s) => !rejected.has(s.key) && !chosen.has(s.label)) : [],
  };
}

// Accept pending suggestions: those whose keys are in `only`, or all of them. Entities come
// first; a relation brings in the suggested entities at its ends when they are not there
// yet; sentiment is set only when none is chosen (all suggested ones when several are
// allowed, else the best). Returns {content, accepted: [the groups taken]}; what the project
// refuses (an overlap, a relation's rules) is left pending.
export function acceptSuggestions(content, schema, groups, rejected, only) {
  const wanted = (g) => !only || only.has(g.key);
  let next = content;
  const accepted = [];
  const takeEntity = (g) => {
    const result = addEntity(next, schema, g);
    if (!result.content) return false;
    next = result.content; accepted.push(g);
    return true;
  };
  let pending = pendingSuggestions(next, schema, groups, rejected);
  for (const g of pending.entities) if (wanted(g)) takeEntity(g);
  for (const r of pending.relations) {
    if (!wanted(r)) continue;
    for (const [span, side] of [[r.head, "head"], [r.tail, "tail"]]) {
      if (endsAt(next, schema, span, r.label, side).length) continue;
      const open = pendingSuggestions(next, schema, groups, rejected).entities;
      const spec = schema.label("relation", r.label);
      open.filter((g) => spanOf(g) === spanOf(span) && (!spec?.[side].length || spec[side].includes(g.label)))
        .find(takeEntity);
    }
    const head = endsAt(next, schema, r.head, r.label, "head")[0];
    const tail = endsAt(next, schema, r.tail, r.label, "tail")[0];
    if (!head || !tail) continue;
    const result = addRelation(next, schema, { head: head.id, tail: tail.id, label: r.label });
    if (result.content) { next = result.content; accepted.push(r); }
  }
  pending = pendingSuggestions(next, schema, groups, rejected);
  for (const s of pending.sentiment) {
    if (!wanted(s) || (!schema.project.multi_label && sentimentOf(next).size)) continue;
    const result = toggleSentiment(next, schema, s.label);
    if (result.content) { next = result.content; accepted.push(s); }
  }
  return { content: next, accepted };
}

// Label every other token-aligned occurrence of entity `id`'s text (`spans`, from
// tokens.js) as it is labelled, in one change; the occurrences the project refuses (an
// overlap where overlaps are not allowed) or that already have the label are skipped.
export function labelOccurrences(content, schema, id, spans) {
  const entity = content.entities.find((e) => e.id === id);
  if (!entity) return { error: say("no_entity") };
  let next = content, added = 0;
  for (const { start, end } of spans) {
    if (start === entity.start && end === entity.end) continue;
    const result = addEntity(next, schema, { start, end, label: entity.label });
    if (result.content) { next = result.content; added += 1; }
  }
  return { content: next, added };
}

export class History {
  constructor(content) { this.past = []; this.future = []; this.current = content; }

  push(content) { this.past.push(this.current); this.future = []; this.current = content; }

  undo() {
    if (!this.past.length) return null;
    this.future.push(this.current);
    this.current = this.past.pop();
    return this.current;
  }

  redo() {
    if (!this.future.length) return null;
    this.past.push(this.current);
    this.current = this.future.pop();
    return this.current;
  }
}

// What changed from `last` (the stored annotation) to `next`, in the form a save may send
// instead of the whole (annotation/pure/changes.py): entities and relations added and
// removed, named by place and label, and the sentiment when it changed. Null when it cannot
// say (two entities with the same place and label), so the whole is sent.
export function contentChanges(last, next) {
  const keyOf = (e) => `${e.start}:${e.end}:${e.label}`;
  const named = (c) => {
    const byKey = new Map(), byId = new Map();
    for (const e of c.entities) {
      if (byKey.has(keyOf(e))) return null;
      byKey.set(keyOf(e), e);
      byId.set(e.id, e);
    }
    const rels = new Map();
    for (const r of c.relations) {
      const h = byId.get(r.head), t = byId.get(r.tail);
      if (h && t) rels.set(`${keyOf(h)}>${keyOf(t)}>${r.label}`, r);
    }
    return { byKey, byId, rels };
  };
  const a = named(last), b = named(next);
  if (!a || !b) return null;
  const place = (e) => ({ start: e.start, end: e.end, label: e.label });
  const rel = (n, r) => ({ head: place(n.byId.get(r.head)), tail: place(n.byId.get(r.tail)), label: r.label });
  const changes = {
    entities: {
      add: [...b.byKey].filter(([k]) => !a.byKey.has(k)).map(([, e]) => place(e)),
      remove: [...a.byKey].filter(([k]) => !b.byKey.has(k)).map(([, e]) => place(e)),
    },
    relations: {
      add: [...b.rels].filter(([k]) => !a.rels.has(k)).map(([, r]) => rel(b, r)),
      // a relation of a removed entity goes with it on the server
      remove: [...a.rels].filter(([k]) => !b.rels.has(k))
        .filter(([, r]) => b.byKey.has(keyOf(a.byId.get(r.head))) && b.byKey.has(keyOf(a.byId.get(r.tail))))
        .map(([, r]) => rel(a, r)),
    },
  };
  if (JSON.stringify(last.sentiment ?? null) !== JSON.stringify(next.sentiment ?? null)) changes.sentiment = next.sentiment ?? null;
  return changes;
}
