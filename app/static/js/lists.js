// Lists of the portal: a choice in a filter or in the page size applies at once, a form
// marked data-confirm (an irreversible action) asks first, in the page's words, and the
// "Colonnes" chooser closes with Escape or a click elsewhere (no inline script: CSP).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".auto-submit"), function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-confirm]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  var chooser = document.getElementById("columns-chooser");
  if (chooser) {
    document.addEventListener("click", function (event) {
      if (chooser.open && !chooser.contains(event.target)) { chooser.open = false; }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && chooser.open) {
        chooser.open = false;
        chooser.querySelector("summary").focus();
      }
    });
  }
}());
