/* FAB's confirmation and alert dialogs (Bootstrap 3 modals opened from script): focus goes to the
   dialog's first button when it opens, and back to what opened it when it closes (RGAA 7.1,
   12.8: keyboard users keep their place). */
(function ($) {
  'use strict';
  var opener = null;
  $(document).on('show.bs.modal', '#modal-confirm, #modal-alert', function () {
    opener = document.activeElement;
  });
  $(document).on('shown.bs.modal', '#modal-confirm, #modal-alert', function () {
    $(this).find('.modal-footer .btn').first().trigger('focus');
  });
  $(document).on('hidden.bs.modal', '#modal-confirm, #modal-alert', function () {
    if (opener && document.body.contains(opener)) { opener.focus(); }
    opener = null;
  });
})(window.jQuery);
