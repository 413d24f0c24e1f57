// Accept and reject decisions on suggestions, sent to the suggestions endpoint in batches,
// fire and forget: nothing waits for them, a failure never blocks a save or a submit, and
// what is not sent yet is kept in localStorage and retried with back-off (also by the next
// workbench page this user opens, should this one close first).

const DELAY_MS = 400;
const RETRY_MS = [1000, 2000, 5000, 10000, 30000];
const BATCH = 500; // the server takes at most 1000 at once
const KEEPALIVE_LIMIT = 60000;

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const headers = document.body.getAttribute("hx-headers");
  return headers ? JSON.parse(headers)["X-CSRFToken"] : "";
}

function load(key) {
  try { return JSON.parse(localStorage.getItem(key) || "null"); } catch { return null; }
}

// The decision items for one suggestion (grouped: one per agent that proposed it).
export function decisionItems(group, decision) {
  const where = group.kind === "entity" ? { start: group.start, end: group.end }
    : group.kind === "relation" ? { start: group.head.start, end: group.head.end, tail_start: group.tail.start, tail_end: group.tail.end }
      : {};
  return group.by.map((by) => ({ agent: by.agent, kind: group.kind, label: group.label, decision, ...where }));
}

export class Decisions {
  // `prefix`: localStorage keys of this user's queues (one per document); `key`, this page's.
  constructor({ url, prefix, key }) {
    this.url = url;
    this.prefix = prefix;
    this.key = key;
    this.queue = load(key)?.items || [];
    this.timer = null;
    this.sending = false;
    this.failures = 0;
    this.sent = 0; // decisions the server has recorded, for tests and curiosity
  }

  add(items) {
    if (!items.length) return;
    this.queue.push(...items);
    this.keep();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DELAY_MS);
  }

  keep() {
    try {
      if (this.queue.length) localStorage.setItem(this.key, JSON.stringify({ url: this.url, items: this.queue }));
      else localStorage.removeItem(this.key);
    } catch { /* storage full or disabled: the queue in memory still follows */ }
  }

  // Send what is queued; never throws, and nobody needs to wait for it.
  async flush() {
    clearTimeout(this.timer);
    if (this.sending || !this.queue.length) return;
    this.sending = true;
    const batch = this.queue.slice(0, BATCH);
    const outcome = await post(this.url, batch);
    this.sending = false;
    if (outcome === "retry") {
      const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
      this.failures += 1;
      this.timer = setTimeout(() => this.flush(), wait);
      return;
    }
    this.failures = 0;
    if (outcome === "ok") this.sent += batch.length;
    this.queue = this.queue.slice(batch.length); // sent, or refused for good (a 4xx)
    this.keep();
    if (this.queue.length) this.flush();
  }

  // Queues an earlier page of this user's left behind (another document's, or this one's
  // from a closed tab): sent once, in the background.
  async resend() {
    for (let i = localStorage.length - 1; i >= 0; i--) {
      const key = localStorage.key(i);
      if (!key?.startsWith(this.prefix) || key === this.key) continue;
      const kept = load(key);
      if (!kept?.url || !kept.items?.length) { localStorage.removeItem(key); continue; }
      let rest = kept.items;
      while (rest.length) {
        const outcome = await post(kept.url, rest.slice(0, BATCH));
        if (outcome === "retry") break;
        rest = rest.slice(BATCH);
      }
      if (rest.length) localStorage.setItem(key, JSON.stringify({ url: kept.url, items: rest }));
      else localStorage.removeItem(key);
    }
  }
}

// "ok", "refused" (a 4xx the same request would get again) or "retry".
async function post(url, items) {
  const body = JSON.stringify({ decisions: items });
  try {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: body.length < KEEPALIVE_LIMIT,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body,
    });
    if (response.ok) return "ok";
    return response.status >= 500 || response.status === 429 || response.status === 408 ? "retry" : "refused";
  } catch {
    return "retry";
  }
}
