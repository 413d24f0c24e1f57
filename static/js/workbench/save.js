// Autosave: one request in flight, the latest content always wins, a copy kept in
// localStorage until the server has it, retries with back-off, and a stop on a version
// conflict so that a stale tab never overwrites newer work.

import { contentChanges } from "./model.js";

const DELAY_MS = 600;
const RETRY_MS = [1000, 2000, 5000, 10000, 20000];
const KEEPALIVE_LIMIT = 60000;

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const headers = document.body.getAttribute("hx-headers");
  return headers ? JSON.parse(headers)["X-CSRFToken"] : "";
}

export class Saver {
  // `changes`: the endpoint takes a save's changes instead of the whole (the annotation's
  // does; the gold's does not).
  constructor({ url, storageKey, version, status, onState, changes = false }) {
    this.url = url;
    this.sendsChanges = changes;
    this.key = storageKey;
    this.version = version;
    this.status = status;
    this.onState = onState; // (state, detail) with state saved|saving|pending|offline|conflict|invalid|forbidden
    this.timer = null;
    this.inFlight = null;
    this.dirty = null; // the content not yet stored on the server
    this.failures = 0;
    this.stopped = false;
    this.seconds = () => 0;
  }

  // A copy of unsaved work left by an earlier visit, if it is based on this version.
  recover() {
    try {
      const kept = JSON.parse(localStorage.getItem(this.key) || "null");
      return kept && kept.version === this.version ? kept.content : null;
    } catch { return null; }
  }

  change(content) {
    if (this.stopped) return;
    this.dirty = content;
    this.keep();
    this.onState("pending");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DELAY_MS);
  }

  keep() {
    try {
      localStorage.setItem(this.key, JSON.stringify({ version: this.version, content: this.dirty }));
    } catch { /* storage full or disabled: the server copy still follows */ }
  }

  async flush(status) {
    clearTimeout(this.timer);
    if (this.stopped) return false;
    if (this.inFlight) { await this.inFlight.catch(() => {}); if (!this.dirty && !status) return true; }
    const content = this.dirty;
    if (!content && !status) return true;
    this.inFlight = this.put(content, status || this.status);
    try { return await this.inFlight; } finally { this.inFlight = null; }
  }

  // The request's body: the changes since the last save when they are smaller than the
  // whole annotation (the same version rule holds for both).
  body(content, status) {
    const whole = content || this.last;
    const head = { status, version: this.version, seconds_spent: this.seconds() };
    const full = JSON.stringify({ ...whole, ...head });
    const changes = this.sendsChanges && this.last && this.version > 0 ? contentChanges(this.last, whole) : null;
    if (!changes) return full;
    const delta = JSON.stringify({ changes, ...head });
    return delta.length < full.length ? delta : full;
  }

  async put(content, status) {
    const whole = content || this.last;
    this.onState("saving");
    const payload = this.body(content, status);
    let response;
    try {
      response = await fetch(this.url, {
        // keepalive lets a save finish after the tab closes, but caps the body at 64 KiB.
        method: "PUT", credentials: "same-origin", keepalive: payload.length < KEEPALIVE_LIMIT,
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: payload,
      });
    } catch {
      return this.retry("offline");
    }
    const data = await response.json().catch(() => ({}));
    if (response.ok) {
      this.version = data.version;
      this.status = data.status;
      this.last = { entities: whole.entities, relations: whole.relations, sentiment: whole.sentiment };
      this.failures = 0;
      if (this.dirty === content) { this.dirty = null; localStorage.removeItem(this.key); } else this.keep();
      this.onState(this.dirty ? "pending" : "saved", data);
      if (this.dirty) this.timer = setTimeout(() => this.flush(), DELAY_MS);
      return true;
    }
    if (response.status === 409 && (data.errors || []).some((e) => e.field === "version")) {
      this.stopped = true;
      this.onState("conflict", data);
      return false;
    }
    if (response.status === 400) { this.onState("invalid", data); return false; }
    if (response.status === 403 || response.status === 404 || response.status === 409) {
      this.stopped = true;
      this.onState("forbidden", data);
      return false;
    }
    return this.retry("offline", data);
  }

  retry(state, data) {
    const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures += 1;
    this.onState(state, { ...data, retryIn: wait });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), wait);
    return false;
  }

  get unsaved() { return Boolean(this.dirty) || Boolean(this.inFlight); }
}
