// Comparing annotators' labellings of one document, and moving their items into the gold.
// Pure: no DOM. Items are compared by meaning, as annotation/pure/review.py does: an entity
// by (start, end, label), a relation by (head entity, tail entity, label).
import { addEntity, addRelation, emptyContent, removeEntity, sentimentOf, toggleSentiment } from "../workbench/model.js";

export const entityKey = (e) => `${e.start}:${e.end}:${e.label}`;

export function relationKey(content, r) {
  const head = content.entities.find((e) => e.id === r.head);
  const tail = content.entities.find((e) => e.id === r.tail);
  return head && tail ? `${entityKey(head)}>${entityKey(tail)}>${r.label}` : null;
}

function keysOf(content) {
  return {
    entities: new Set(content.entities.map(entityKey)),
    relations: new Set(content.relations.map((r) => relationKey(content, r)).filter(Boolean)),
    sentiment: sentimentOf(content),
  };
}

// How many lanes hold each item: {entities, relations, sentiment}: Map(key -> count).
export function tally(lanes) {
  const out = { entities: new Map(), relations: new Map(), sentiment: new Map() };
  for (const lane of lanes) {
    const keys = keysOf(lane);
    for (const kind of Object.keys(out)) {
      for (const key of keys[kind]) out[kind].set(key, (out[kind].get(key) || 0) + 1);
    }
  }
  return out;
}

// The items every lane holds, as a labelling with the first lane's entity ids.
export function shared(lanes, multi) {
  if (!lanes.length) return emptyContent(multi);
  const counts = tally(lanes), n = lanes.length, first = lanes[0];
  const entities = first.entities.filter((e) => counts.entities.get(entityKey(e)) === n)
    .map(({ id, start, end, label }) => ({ id, start, end, label }));
  const ids = new Set(entities.map((e) => e.id));
  const relations = first.relations.filter((r) => ids.has(r.head) && ids.has(r.tail)
    && counts.relations.get(relationKey(first, r)) === n)
    .map(({ head, tail, label }) => ({ head, tail, label }));
  const names = [...sentimentOf(first)].filter((s) => counts.sentiment.get(s) === n);
  const sentiment = multi ? names : (names[0] ?? null);
  return { entities, relations, sentiment };
}

// A copy of a lane's labelling, as the gold takes it.
export function whole(lane, multi) {
  return {
    entities: lane.entities.map(({ id, start, end, label }) => ({ id, start, end, label })),
    relations: lane.relations.map(({ head, tail, label }) => ({ head, tail, label })),
    sentiment: multi ? [...(lane.sentiment || [])] : (lane.sentiment ?? null),
  };
}

export const goldEntity = (gold, entity) => gold.entities.find((e) => entityKey(e) === entityKey(entity));

export function hasRelation(gold, lane, r) {
  const key = relationKey(lane, r);
  return gold.relations.some((g) => relationKey(gold, g) === key);
}

// Each returns {content} (possibly the same object when nothing changes) or {error}.
export function acceptEntity(gold, schema, entity) {
  const found = goldEntity(gold, entity);
  if (found) return { content: gold, id: found.id };
  return addEntity(gold, schema, { start: entity.start, end: entity.end, label: entity.label });
}

export function rejectEntity(gold, entity) {
  const found = goldEntity(gold, entity);
  return { content: found ? removeEntity(gold, found.id).content : gold };
}

export function acceptRelation(gold, schema, lane, r) {
  if (hasRelation(gold, lane, r)) return { content: gold };
  let next = gold;
  const ids = {};
  for (const end of ["head", "tail"]) {
    const result = acceptEntity(next, schema, lane.entities.find((e) => e.id === r[end]));
    if (result.error) return result;
    next = result.content;
    ids[end] = result.id;
  }
  return addRelation(next, schema, { head: ids.head, tail: ids.tail, label: r.label });
}

export function rejectRelation(gold, lane, r) {
  const key = relationKey(lane, r);
  const next = structuredClone(gold);
  next.relations = next.relations.filter((g) => relationKey(gold, g) !== key);
  return { content: next };
}

export function acceptSentiment(gold, schema, name) {
  // Single-label: choosing it replaces the gold's sentiment; multi-label: adds to it.
  return sentimentOf(gold).has(name) ? { content: gold } : toggleSentiment(gold, schema, name);
}

export function rejectSentiment(gold, schema, name) {
  return sentimentOf(gold).has(name) ? toggleSentiment(gold, schema, name) : { content: gold };
}
