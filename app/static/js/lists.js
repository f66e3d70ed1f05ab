// Lists of the portal: a choice in a filter or in the page size applies at once, and a form
// marked data-confirm (an irreversible action) asks first, in the page's words (no inline
// script: CSP).
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
}());
