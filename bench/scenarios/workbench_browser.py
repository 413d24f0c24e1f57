"""The workbench scenario's browser part: Chromium opens the workbench and the long document
(bytes on the wire, time to ready, one edit to the next frame). See bench/README.md."""

from typing import Any
from urllib.parse import urlsplit

from bench.seed import PASSWORD

BROWSER_USER = "bench-wb-browser"  # opens the workbench on an ordinary document
LONG_USER = "bench-wb-long"  # holds the long document
HUGE_USER = "bench-wb-huge"  # holds the 1,000,000-character document
SCROLL_FRAMES = 240  # per place scrolled through (about 4 s at 60 frames a second)
EDITS = 5
LONG_LOADS = 3  # measured openings of the long document (after one unmeasured)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
# Timestamp the moment main.js marks the page ready (a microtask after it does).
READY_SCRIPT = """(() => {
  new MutationObserver(() => {
    if (window.__wbReady === undefined && document.body?.dataset.workbench === "ready") {
      window.__wbReady = performance.now();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-workbench"] });
})();"""
NAV_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  return {
    ready_ms: window.__wbReady ?? null,
    request_start_ms: nav.requestStart, response_start_ms: nav.responseStart,
    response_end_ms: nav.responseEnd, dom_interactive_ms: nav.domInteractive,
    dom_content_loaded_ms: nav.domContentLoadedEventEnd, load_ms: nav.loadEventEnd,
    redirect_ms: nav.redirectEnd - nav.redirectStart,
    tags: document.querySelectorAll("#text .tag").length,
    segments: document.querySelectorAll("#text .seg").length,
    resource_timing_bytes: {
      encoded: nav.encodedBodySize + res.reduce((s, r) => s + r.encodedBodySize, 0),
      decoded: nav.decodedBodySize + res.reduce((s, r) => s + r.decodedBodySize, 0)},
  };
}"""
# One edit: select an English word in an unlabelled segment near `at` (0..1 through the
# text), press the PER key, wait for the new tag, then for the frame after it.
EDIT = """async ({ at, label }) => {
  const data = JSON.parse(document.getElementById("workbench-data").textContent);
  const key = data.labels.find((l) => l.kind === "entity" && l.name === label).shortcut;
  const text = document.getElementById("text");
  const plain = [...text.querySelectorAll(".seg:not(.ent):not(.sug)")];
  let node = null, match = null;
  for (let i = Math.floor(at * plain.length); i < plain.length && !match; i++) {
    node = plain[i].firstChild;
    match = node && node.nodeType === Node.TEXT_NODE ? /[A-Za-z]{4,}/.exec(node.data) : null;
  }
  if (!match) return { error: "no free English word after " + at };
  const range = document.createRange();
  range.setStart(node, match.index);
  range.setEnd(node, match.index + match[0].length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  const count = () => text.querySelectorAll(".tag").length;
  const before = count();
  const t0 = performance.now();
  document.body.dispatchEvent(new KeyboardEvent("keydown", {
    key, code: "Digit" + key, bubbles: true, cancelable: true }));
  const handled = performance.now();
  const frame = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)));
  while (count() === before && performance.now() - t0 < 10000) await frame();
  const changed = performance.now();
  await frame();  // the frame that shows it: rAF runs before paint, the timeout after
  const painted = performance.now();
  return { word: match[0], before, after: count(), handler_ms: handled - t0,
           dom_ms: changed - t0, frame_ms: painted - t0 };
}"""


# Scroll the text by 40 px a frame from `at` (0..1 of its height) for `frames` frames:
# each frame's interval (requestAnimationFrame to requestAnimationFrame), while paragraphs
# come into view and get their spans.
SCROLL = """async ({ at, frames }) => {
  const wrap = document.getElementById("text-wrap");
  wrap.scrollTop = Math.floor(at * (wrap.scrollHeight - wrap.clientHeight));
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  const intervals = [];
  let last = performance.now();
  for (let i = 0; i < frames; i++) {
    wrap.scrollTop += 40;
    await new Promise((done) => requestAnimationFrame(done));
    const now = performance.now();
    intervals.push(now - last);
    last = now;
  }
  return { at, intervals, tags: document.querySelectorAll("#text .tag").length };
}"""


# ---------------------------------------------------------------- setup (before the clock)


def _login(browser: Any, base_url: str, username: str) -> dict[str, Any]:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    if urlsplit(page.url).path.startswith("/accounts/login/"):
        raise RuntimeError(f"browser login as {username} failed")
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state


def _resource(request: Any) -> dict[str, Any]:
    response = request.response()
    sizes = request.sizes()
    headers = response.all_headers() if response else {}
    try:
        decoded = len(response.body()) if response else 0
    except Exception:  # a redirect has no body to read
        decoded = 0
    parts = urlsplit(request.url)
    return {"path": parts.path + (f"?{parts.query}" if parts.query else ""),
            "type": request.resource_type, "status": response.status if response else 0,
            "encoding": headers.get("content-encoding", ""),
            "accept_encoding": request.all_headers().get("accept-encoding", ""),
            "cache_control": headers.get("cache-control", ""),
            "body_bytes": sizes["responseBodySize"], "decoded_bytes": decoded,
            "response_header_bytes": sizes["responseHeadersSize"],
            "request_header_bytes": sizes["requestHeadersSize"]}


def open_page(browser: Any, base_url: str, state: dict[str, Any], path: str,
              edits: int = 0) -> dict[str, Any]:
    """Open `path` in a fresh context (empty cache, logged in); wait for the workbench; list
    every response of the navigation; then make `edits` edits, each saved before the next."""
    context = browser.new_context(base_url=base_url, storage_state=state)
    context.add_init_script(READY_SCRIPT)
    page = context.new_page()
    requests: list[Any] = []
    page.on("request", lambda request: requests.append(request))
    try:
        page.goto(path, wait_until="load", timeout=120_000)
        page.wait_for_selector("body[data-workbench=ready]", timeout=120_000)
        page.wait_for_load_state("networkidle")
        timing = page.evaluate(NAV_TIMING)
        resources = [_resource(r) for r in requests]
        done = [edit(page, (i + 0.5) / edits) for i in range(edits)]
    finally:
        context.close()
    counted = [r for r in resources if r["type"] != "font"]
    return {"url": page.url, "timing": timing, "resources": resources, "edits": done,
            "requests": len(counted),
            "body_bytes": sum(r["body_bytes"] for r in counted),
            "decoded_bytes": sum(r["decoded_bytes"] for r in counted),
            "header_bytes": sum(r["response_header_bytes"] + r["request_header_bytes"]
                                for r in counted),
            "font_bytes": sum(r["body_bytes"] for r in resources if r["type"] == "font")}


def _server_ms(header: str) -> float:
    """The app's own time from `Server-Timing: app;dur=…` (the bench turns it on)."""
    for part in header.split(","):
        name, _, rest = part.strip().partition(";")
        if name == "app" and "dur=" in rest:
            return float(rest.split("dur=")[1].split(";")[0])
    return float("nan")


def edit(page: Any, at: float) -> dict[str, Any]:
    """One edit, then its autosave (600 ms later): the PUT's time and the entity count."""
    def is_save(response: Any) -> bool:
        return response.request.method == "PUT" and "/annotation/" in response.url

    with page.expect_response(is_save, timeout=60_000) as saved:
        result: dict[str, Any] = page.evaluate(EDIT, {"at": at, "label": "PER"})
    if "error" in result:
        raise RuntimeError(result["error"])
    response = saved.value
    response.finished()
    timing = response.request.timing
    result["save_status"] = response.status
    result["save_ms"] = timing["responseEnd"] - timing["requestStart"]
    result["save_server_ms"] = _server_ms(response.headers.get("server-timing", ""))
    result["save_request_bytes"] = len(response.request.post_data or "")
    result["saved_entities"] = len(response.json().get("entities", []))
    page.wait_for_selector("#save-state[data-state=saved]", timeout=60_000)
    return result


def scroll(browser: Any, base_url: str, state: dict[str, Any], path: str) -> dict[str, Any]:
    """The document opened, then scrolled through at its start, middle and end."""
    context = browser.new_context(base_url=base_url, storage_state=state)
    page = context.new_page()
    try:
        page.goto(path, wait_until="load", timeout=120_000)
        page.wait_for_selector("body[data-workbench=ready]", timeout=120_000)
        runs = [page.evaluate(SCROLL, {"at": at, "frames": SCROLL_FRAMES})
                for at in (0.0, 0.5, 0.95)]
    finally:
        context.close()
    intervals = sorted(ms for run in runs for ms in run["intervals"])
    n = len(intervals)
    return {"frames": n, "fps": round(1000 * n / sum(intervals), 1),
            "p50_ms": round(intervals[n // 2], 1), "p95_ms": round(intervals[int(n * 0.95)], 1),
            "max_ms": round(intervals[-1], 1),
            "over_16_7_pct": round(100 * sum(ms > 16.7 + 1 for ms in intervals) / n, 1),
            "over_33_pct": round(100 * sum(ms > 33.4 for ms in intervals) / n, 1),
            "tags_drawn": runs[-1]["tags"]}


def browse(base_url: str, project_id: int, long_document_id: int,
           huge_document_id: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            state = _login(browser, base_url, BROWSER_USER)
            open_page(browser, base_url, state, f"/projects/{project_id}/label/")  # warm-up
            ordinary = open_page(browser, base_url, state, f"/projects/{project_id}/label/")
            state = _login(browser, base_url, LONG_USER)
            path = f"/projects/{project_id}/documents/{long_document_id}/label/"
            open_page(browser, base_url, state, path)  # warm-up
            long = [open_page(browser, base_url, state, path) for _ in range(LONG_LOADS)]
            edited = open_page(browser, base_url, state, path, edits=EDITS)
            state = _login(browser, base_url, HUGE_USER)
            path = f"/projects/{project_id}/documents/{huge_document_id}/label/"
            open_page(browser, base_url, state, path)  # warm-up
            huge = [open_page(browser, base_url, state, path) for _ in range(LONG_LOADS)]
            scrolled = scroll(browser, base_url, state, path)
        finally:
            browser.close()
    for page in huge:  # its 1,000,000 characters are in `resources` once is enough
        page.pop("resources", None)
    return {"ordinary": ordinary, "long": long, "edited": edited, "huge": huge,
            "scroll": scrolled}


# ---------------------------------------------------------------- the report
