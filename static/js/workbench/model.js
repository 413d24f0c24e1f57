// The annotation being edited: entities, relations, sentiment, with the project's rules
// and an undo history. Pure: no DOM. Offsets are code points.

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
  if (!schema.label("entity", label)) return { error: `No entity label ${label}.` };
  if (!(start < end)) return { error: "Select some text first." };
  if (content.entities.some((e) => e.start === start && e.end === end && e.label === label)) {
    return { error: "That entity is already there." };
  }
  const clash = overlapping(content.entities, start, end);
  if (clash && !schema.project.allow_overlap) {
    const text = schema.spanText(clash);
    const which = text ? `“${text}”` : `[${clash.start}, ${clash.end})`;
    return { error: `It overlaps ${clash.label} ${which}, and this project does not allow overlapping spans.` };
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
  if (!schema.label("entity", label)) return { error: `No entity label ${label}.` };
  const next = clone(content);
  const entity = next.entities.find((e) => e.id === id);
  if (!entity) return { error: "No such entity." };
  entity.label = label;
  const broken = next.relations.find((r) => relationProblem(next, schema, r));
  if (broken) return { error: relationProblem(next, schema, broken) };
  return { content: next };
}

export function relationProblem(content, schema, { head, tail, label }) {
  const spec = schema.label("relation", label);
  if (!spec) return `No relation label ${label}.`;
  const h = content.entities.find((e) => e.id === head);
  const t = content.entities.find((e) => e.id === tail);
  if (!h || !t) return "A relation joins two entities.";
  if (h.id === t.id) return "A relation joins two different entities.";
  if (spec.head.length && !spec.head.includes(h.label)) {
    return `${label} does not allow a ${h.label} entity at its head (allowed: ${spec.head.join(", ")}).`;
  }
  if (spec.tail.length && !spec.tail.includes(t.label)) {
    return `${label} does not allow a ${t.label} entity at its tail (allowed: ${spec.tail.join(", ")}).`;
  }
  return null;
}

export function addRelation(content, schema, relation) {
  const problem = relationProblem(content, schema, relation);
  if (problem) return { error: problem };
  const same = (r) => r.head === relation.head && r.tail === relation.tail && r.label === relation.label;
  if (content.relations.some(same)) return { error: "That relation is already there." };
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
  if (!schema.label("sentiment", name)) return { error: `No sentiment label ${name}.` };
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

// Predictions the annotator has neither accepted nor rejected.
export const suggestionKey = (e) => `${e.start}:${e.end}:${e.label}`;

export function pendingSuggestions(content, predictions, rejected) {
  if (!predictions) return [];
  const have = new Set(content.entities.map(suggestionKey));
  return predictions.entities.filter((e) => !have.has(suggestionKey(e)) && !rejected.has(suggestionKey(e)));
}

// Accept predicted entities (all pending ones when `only` is absent), then the predicted
// relations whose two ends are now present, then the predicted sentiment if none is set.
export function acceptSuggestions(content, schema, predictions, rejected, only) {
  let next = content;
  const idFor = new Map();
  for (const e of predictions.entities) {
    const key = suggestionKey(e);
    const existing = next.entities.find((x) => suggestionKey(x) === key);
    if (existing) { idFor.set(e.id, existing.id); continue; }
    if (rejected.has(key) || (only && !only.has(key))) continue;
    const result = addEntity(next, schema, e);
    if (result.content) { next = result.content; idFor.set(e.id, result.id); }
  }
  for (const r of predictions.relations || []) {
    const head = idFor.get(r.head), tail = idFor.get(r.tail);
    if (!head || !tail) continue;
    const result = addRelation(next, schema, { head, tail, label: r.label });
    if (result.content) next = result.content;
  }
  if (!only && predictions.sentiment && sentimentOf(next).size === 0) {
    for (const name of Array.isArray(predictions.sentiment) ? predictions.sentiment : [predictions.sentiment]) {
      const result = toggleSentiment(next, schema, name);
      if (result.content) next = result.content;
    }
  }
  return next;
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
