// Date fields of every page, portal and back-office (issue 9, "Forms"): bootstrap-datepicker
// (shipped by Flask-AppBuilder, initialised by its ab.js in English and yyyy-mm-dd) opened in
// French, dd/mm/yyyy, weeks starting on Monday, on our fields (.french-date, rendered by
// app.views.validators.FrenchDateWidget) and on any FAB date widget left. The server reads
// dd/mm/yyyy and ISO alike; FAB's list filters read dates with dateutil (month first), so a
// filter's French date is sent as ISO and shown in French again. No inline script (CSP).
(function ($) {
  "use strict";
  if (!$ || !$.fn || !$.fn.datepicker) { return; }

  $.fn.datepicker.dates.fr = {
    days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    daysShort: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
    daysMin: ["di", "lu", "ma", "me", "je", "ve", "sa"],
    months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
      "septembre", "octobre", "novembre", "décembre"],
    monthsShort: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
      "oct.", "nov.", "déc."],
    today: "Aujourd'hui",
    clear: "Effacer",
    titleFormat: "MM yyyy",
    weekStart: 1,
    format: "dd/mm/yyyy"
  };
  var OPTIONS = {
    language: "fr",
    format: "dd/mm/yyyy",
    weekStart: 1,
    autoclose: true,
    todayBtn: "linked",
    todayHighlight: true,
    forceParse: false, // what is typed stays as typed: the server says what is wrong
    showOnFocus: false, // typing is not covered by a calendar: it opens from its button
    orientation: "bottom auto"
  };
  $.extend($.fn.datepicker.defaults, OPTIONS);
  var FIELDS = ".french-date, .appbuilder_date, .appbuilder_datetime";
  var FILTER_INPUTS = ".french-date input, .appbuilder_date input, .appbuilder_datetime input";

  function pad(number) { return ("0" + number).slice(-2); }
  function toIso(text) {
    var match = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text || "");
    return match ? match[3] + "-" + pad(match[2]) + "-" + pad(match[1]) : text;
  }
  function toFrench(text) {
    var match = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(text || "");
    return match ? match[3] + "/" + match[2] + "/" + match[1] : text;
  }

  function init(element) {
    var $field = $(element).closest(FIELDS);
    if (!$field.length) { $field = $(element); }
    if ($field.data("frenchDate")) { return $field; }
    if ($field.data("datepicker")) { $field.datepicker("destroy"); }
    var $input = $field.is("input") ? $field : $field.find("input").first();
    $input.val(toFrench($input.val()));
    $input.attr({ placeholder: "jj/mm/aaaa", autocomplete: "off" });
    $field.datepicker(OPTIONS);
    $field.data("frenchDate", true);
    return $field;
  }

  // ab_filters.js calls a datetimepicker FAB no longer ships, when a date filter is added.
  $.fn.datetimepicker = function () { return this.each(function () { init(this); }); };

  // Filters added after the page loaded are initialised when first used.
  $(document).on("focusin", FILTER_INPUTS, function () { init(this); });
  $(document).on("click", ".french-date .input-group-addon, .appbuilder_date .input-group-addon",
    function () {
      var $field = $(this).closest(FIELDS);
      if (!$field.data("frenchDate")) { init($field).datepicker("show"); }
    });
  $(document).on("submit", "#filter_form", function () {
    $(this).find(FILTER_INPUTS).each(function () { this.value = toIso(this.value); });
  });

  $(function () { $(FIELDS).each(function () { init(this); }); });
}(window.jQuery));
