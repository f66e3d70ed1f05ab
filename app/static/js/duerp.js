// The DUERP question (app/templates/duerp/ask.html): the questions that follow «Oui» appear once
// «Oui» is chosen. Without this script they are all shown, and the server ignores them after «Non».
$(function () {
  "use strict";
  var more = $("#duerp-yes");
  var answers = $("input[name=has_duerp]");
  if (!more.length) {
    return;
  }
  function show() {
    var yes = answers.filter(":checked").val() === "yes";
    more.toggle(yes);
  }
  answers.on("change", show);
  show();
});
