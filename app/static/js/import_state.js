// The employee import's page (issue 14): while the file is checked or imported, read the state
// every few seconds and move the progress bar; once finished, open the page again (the report).
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  var url = box && box.getAttribute("data-state-url");
  if (!url) { return; }
  var seconds = parseInt(box.getAttribute("data-refresh"), 10) || 2;
  // The import's page by GET: this page may be the answer to a POST (a second «Importer»
  // refused), which a reload would send again.
  var page = url.replace(/\/state$/, "") + window.location.search;

  function render(state) {
    var label = document.getElementById("import-status");
    if (label) { label.textContent = state.label; }
    var bar = box.querySelector("progress");
    if (bar && state.total) {
      bar.max = state.total;
      bar.value = Math.min(state.done, state.total);
    }
    var text = box.querySelector(".import-progress-text");
    if (text) { text.textContent = state.total ? state.done + " / " + state.total : (state.done ? String(state.done) : ""); }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.finished) { window.location.replace(page); return; }
        if (state) { render(state); }
        window.setTimeout(poll, seconds * 1000);
      })
      .catch(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
}());
