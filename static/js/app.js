// Small page behaviours shared by every page. No inline scripts: a CSP forbids them.
for (const select of document.querySelectorAll("select[data-autosubmit]")) {
  select.addEventListener("change", () => select.form.requestSubmit());
}
