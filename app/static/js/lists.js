// Lists of the portal: a choice in a filter or in the page size applies at once (no inline
// script: CSP).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".auto-submit"), function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
}());
