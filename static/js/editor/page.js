// What the workbench and the adjudication page both read from the page: the data the server
// put in a json_script, the edited text (#text) and its arrows (#arrows), the document's
// TextIndex and label schema, and the labels' colours.
import { Schema, useMessages } from "../workbench/model.js";
import { TextIndex } from "../workbench/offsets.js";

export const $ = (sel, root = document) => root.querySelector(sel);

export function escapeHtml(s) { return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`); }

export function readPage(dataId) {
  const data = JSON.parse(document.getElementById(dataId).textContent);
  useMessages(data.messages);
  const index = new TextIndex(data.document.text, document.documentElement.lang);
  const schema = new Schema(data.labels, data.project, index);
  const colorOf = new Map(data.labels.map((l) => [l.name, l.color]));
  return {
    data, t: data.messages, index, schema,
    textEl: $("#text"), wrap: $("#text-wrap"), svg: $("#arrows"),
    colors: (name) => colorOf.get(name) || "#888",
    directed: (name) => schema.label("relation", name)?.directed ?? true,
  };
}
