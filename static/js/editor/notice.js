// The notice toast (#notice) and the save state in the header (#save-state).
import { $ } from "./page.js";

export function notify(message, kind = "error") {
  const banner = $("#notice");
  banner.textContent = message;
  banner.className = `wb-notice ${kind}`;
  banner.hidden = !message;
}

// A Saver's onState for a page with the messages `t`: #retry (the workbench's only) shows
// while offline, #reload after a conflict; the states that need a word say it in a notice.
export function saveStateShower(t) {
  return function showSaveState(name, detail = {}) {
    const el = $("#save-state");
    el.dataset.state = name;
    const seconds = detail.retryIn ? Math.round(detail.retryIn / 1000) : 0;
    el.textContent = (t[`save_${name}`] || "").replace("%s", seconds);
    const retry = $("#retry");
    if (retry) retry.hidden = name !== "offline";
    $("#reload").hidden = name !== "conflict";
    if (name === "conflict") notify(t.save_conflict);
    if (name === "forbidden") notify(detail.detail || t.save_forbidden);
    if (name === "invalid") {
      notify([detail.detail, ...(detail.errors || []).map((e) => `${e.field}: ${e.message}`)].join("\n"));
    }
  };
}
