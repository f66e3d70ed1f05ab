// The town follows the postal code in the address forms (issue 9, "Forms"): when a French postal
// code of five digits is typed, its communes (La Poste) are offered under the town, and the town
// is filled in when the code has one commune, or emptied when it is not one of the code's. The
// server checks the same (app.views.validators.city_of_postal_code). No inline script (CSP).
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = script ? script.src.replace(/static\/js\/postal_codes\.js.*$/, "postal-codes/") : "/postal-codes/";

  function key(name) {
    return (name || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toUpperCase()
      .replace(/[^A-Z0-9]+/g, " ").trim().replace(/\bSAINT\b/g, "ST").replace(/\bSAINTE\b/g, "STE");
  }

  function setup(postal) {
    var form = postal.form;
    var city = form && form.querySelector("input[data-city], input[name=city]");
    if (!city) { return; }
    var list = document.createElement("datalist");
    list.id = "communes-of-" + postal.id;
    city.setAttribute("list", list.id);
    city.parentNode.appendChild(list);
    var note = document.createElement("span");
    note.className = "help-block postal-code-note";
    note.setAttribute("aria-live", "polite");
    postal.parentNode.appendChild(note);
    var asked = null;

    function offer(communes) {
      list.innerHTML = "";
      communes.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
    }

    function lookup(changed) {
      var code = postal.value.replace(/\s+/g, "");
      if (!/^\d{5}$/.test(code)) { note.textContent = ""; offer([]); asked = null; return; }
      if (code === asked) { return; }
      asked = code;
      fetch(endpoint + "?code=" + encodeURIComponent(code), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (answer) {
        if (postal.value.replace(/\s+/g, "") !== code) { return; } // typed on since
        var communes = answer.body.communes || [];
        offer(communes);
        note.textContent = answer.ok ? (answer.body.hint || "") : (answer.body.error || "");
        if (!changed) { return; }
        var known = communes.some(function (name) { return key(name) === key(city.value); });
        if (communes.length === 1) {
          city.value = communes[0];
        } else if (communes.length > 1 && !known) {
          city.value = "";
        }
      }).catch(function () { asked = null; });
    }

    postal.addEventListener("input", function () { lookup(true); });
    lookup(false);
  }

  document.querySelectorAll("input[data-postal-code]").forEach(setup);
}());
