// Small page behaviours shared by every page. No inline scripts: a CSP forbids them.
for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}

// An htmx request that found the database unavailable (a 503) shows its notice in
// #service-notice (config/faults.py); the next request that succeeds clears it.
document.body.addEventListener("htmx:afterRequest", (event) => {
  const notice = document.getElementById("service-notice");
  if (notice && event.detail.successful && notice.childElementCount) notice.replaceChildren();
});
