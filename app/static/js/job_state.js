// A background job's page (issue 13): while the job is queued or running, read its state every
// few seconds and update the progress in place; once it is done or failed, reload the page (its
// outcome, its error, the relaunch button). The checkbox stops the refresh (RGAA 13.1).
(function () {
  "use strict";
  var page = document.getElementById("job-page");
  var url = page && page.getAttribute("data-state-url");
  if (!url) { return; }
  var seconds = parseInt(page.getAttribute("data-refresh"), 10) || 3;
  var toggle = document.getElementById("job-auto-refresh");

  function render(state) {
    var label = document.getElementById("job-status");
    if (label) { label.textContent = state.label; }
    var progress = document.getElementById("job-progress");
    if (progress) {
      var bar = progress.querySelector("progress");
      var text = state.total ? state.done + " / " + state.total : (state.done ? String(state.done) : "");
      if (bar && state.total) {
        bar.max = state.total;
        bar.value = Math.min(state.done, state.total);
      }
      var span = progress.querySelector(".job-progress-text");
      if (span) { span.textContent = text; } else if (!bar) { progress.textContent = text; }
    }
  }

  function poll() {
    if (toggle && !toggle.checked) { window.setTimeout(poll, seconds * 1000); return; }
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
        render(state);
      })
      .catch(function () { return null; })
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
}());
