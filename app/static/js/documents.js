// The document form (issue 10): the sub-class list offers only the sub-classes of the chosen
// class; a sub-class of another class is unselected. Without JavaScript every sub-class is
// listed under its class, and the server refuses a mismatch with a message.
(function () {
  "use strict";
  var classes = document.getElementById("class_id");
  var subclasses = document.getElementById("subclass_id");
  if (!classes || !subclasses) { return; }
  function limit() {
    var chosen = classes.value;
    Array.prototype.forEach.call(subclasses.querySelectorAll("optgroup"), function (group) {
      var shown = group.getAttribute("data-class") === chosen;
      group.hidden = !shown;
      group.disabled = !shown;
    });
    var selected = subclasses.options[subclasses.selectedIndex];
    if (selected && selected.parentNode.disabled) { subclasses.value = "0"; }
  }
  classes.addEventListener("change", limit);
  limit();
}());
