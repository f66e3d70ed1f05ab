/* FAB's select boxes (Select2) in the user's language and named for assistive technologies
   (RGAA 11.1): texts come from data-select-* attributes on <body> (translated by the server,
   no inline script); each box takes the name of its form label; multiple boxes lose the "clear
   all" cross that Select2 puts inside its list (invalid list markup) - each item keeps its own. */
(function ($) {
  'use strict';
  if (!$ || !$.fn.select2) { return; }
  var texts = document.body.dataset;
  var language = {
    noResults: function () { return texts.selectNoResults; },
    searching: function () { return texts.selectSearching; },
    errorLoading: function () { return texts.selectErrorLoading; },
    removeAllItems: function () { return texts.selectRemoveAll; },
    removeItem: function () { return texts.selectRemoveItem; }
  };
  $.fn.select2.defaults.set('language', language);

  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (!label) { return null; }
    if (!label.id) { label.id = select.id + '-label'; }
    return label;
  }

  function name(select) {
    var label = labelOf(select);
    var $box = $(select).next('.select2');
    if (!label || !$box.length) { return; }
    var $selection = $box.find('.select2-selection');
    var $rendered = $box.find('.select2-selection__rendered');
    var container = $rendered.attr('id');
    // The box reads "label, current value"; the value's own text field is named by the label.
    $selection.attr('aria-labelledby', label.id + (container ? ' ' + container : ''));
    if ($rendered.attr('role') === 'textbox') { $rendered.attr('aria-labelledby', label.id); }
    $box.find('.select2-search__field').attr({'aria-label': label.textContent.trim(), placeholder: ''});
  }

  $(function () {  // after ab.js's own initialisation (registered before this file ran)
    $('select.my_select2').each(function () {
      if (this.multiple && $(this).data('select2')) {
        $(this).select2('destroy').select2({allowClear: false, theme: 'bootstrap', language: language});
      }
      name(this);
    });
    $(document).on('select2:open select2:close change', 'select.my_select2', function () { name(this); });
  });
})(window.jQuery);
