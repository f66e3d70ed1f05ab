// Edit pages open on their first tab (the form): FAB's ab_keep_tab.js reopens the last tab seen
// on any page (the contacts of the company page), which hid the form being edited. Runs after
// ab_keep_tab.js's own ready handler.
$(function () {
  "use strict";
  $('a[data-toggle="tab"]').first().tab("show");
});
