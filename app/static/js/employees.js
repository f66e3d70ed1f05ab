// Employee screens: NIR/NTT switch, postal-code suggestions ("liste
// complète"), and the creation of a work post with PCS suggestions. No inline script (CSP).
(function () {
  "use strict";
  var base = document.location.pathname.replace(/\/employees\/.*$/, "/employees");

  var ntt = document.getElementById("uses_ntt");
  function switchNtt() {
    var useNtt = ntt && ntt.checked;
    var nirBlock = document.getElementById("nir-block");
    var nttBlock = document.getElementById("ntt-block");
    if (nirBlock) { nirBlock.classList.toggle("hidden", useNtt); }
    if (nttBlock) { nttBlock.classList.toggle("hidden", !useNtt); }
  }
  if (ntt) { ntt.addEventListener("change", switchNtt); switchNtt(); }

  function getJson(url, callback) {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(callback);
  }

  var postal = document.getElementById("postal_code");
  var city = document.getElementById("city");
  var communes = [];
  function loadCommunes() {
    var code = (postal.value || "").trim();
    if (!/^\d{5}$/.test(code)) { return; }
    // The communes of every address form (app/views/postal_codes.py), beside /employees.
    var lookup = base.replace(/\/employees$/, "") + "/postal-codes/?code=";
    getJson(lookup + encodeURIComponent(code), function (found) {
      communes = (found && found.communes) || [];
      var list = document.getElementById("communes");
      list.innerHTML = "";
      communes.forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
      if (communes.length === 1 && city && !city.value) { city.value = communes[0]; }
    });
  }
  if (postal) { postal.addEventListener("input", loadCommunes); postal.addEventListener("change", loadCommunes); }
  var all = document.getElementById("all-communes");
  if (all) {
    all.addEventListener("click", function (event) {
      event.preventDefault();
      var list = document.getElementById("commune-list");
      list.innerHTML = "";
      communes.forEach(function (item) {
        var entry = document.createElement("li");
        var link = document.createElement("a");
        link.href = "#";
        link.textContent = postal.value + " " + item;
        link.addEventListener("click", function (e) { e.preventDefault(); city.value = item; list.classList.add("hidden"); });
        entry.appendChild(link);
        list.appendChild(entry);
      });
      list.classList.toggle("hidden");
    });
  }

  var pcs = document.getElementById("pcs_code");
  var labels = {};
  if (pcs) {
    pcs.addEventListener("input", function () {
      var typed = pcs.value.trim();
      var code = typed.split(" ")[0];
      if (labels[code]) {
        var description = document.getElementById("description");
        if (!description.value) { description.value = labels[code]; }
        return;
      }
      if (typed.length < 2) { return; }
      getJson(base + "/pcs?q=" + encodeURIComponent(typed), function (found) {
        var list = document.getElementById("pcs-list");
        list.innerHTML = "";
        found.forEach(function (item) {
          labels[item.code] = item.label;
          var option = document.createElement("option");
          option.value = item.code;
          option.textContent = item.code + " - " + item.label;
          list.appendChild(option);
        });
      });
    });
  }

  var postForm = document.getElementById("work-post-form");
  if (postForm) {
    postForm.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(postForm.action, { method: "POST", body: new FormData(postForm), credentials: "same-origin" })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (answer) {
          if (!answer.ok) { document.getElementById("work-post-error").textContent = answer.body.error; return; }
          var select = document.getElementById("work_post_id");
          var option = document.createElement("option");
          option.value = answer.body.id;
          option.textContent = answer.body.designation;
          select.appendChild(option);
          select.value = String(answer.body.id);
          document.getElementById("work-post-error").textContent = "";
          window.jQuery("#work-post-modal").modal("hide");
        });
    });
  }
}());
