"""Where a saved form leads (issue 9, "lost place"): FAB goes back through its page history, which
after a form often ends on the home page. Our member and company screens go back to the member's
page (or the company page) with a French message saying what was done."""

from flask import g, redirect


class BackToPageMixin:
    """A ModelView whose add, edit and delete lead to `page_after_save(item)`."""

    # Our add and edit pages: the edit page opens on its first tab (FAB reopens the last tab
    # seen, e.g. the contacts), and both fill the town from the postal code.
    add_template = "forms/add.html"
    edit_template = "forms/edit.html"

    def page_after_save(self, item) -> str:
        raise NotImplementedError

    def _remember(self, item) -> None:
        g.page_after_save = self.page_after_save(item)

    def post_add(self, item):
        super().post_add(item)
        self._remember(item)

    def post_update(self, item):
        super().post_update(item)
        self._remember(item)

    def post_delete(self, item):
        super().post_delete(item)
        self._remember(item)

    def _back(self, fallback):
        page = g.pop("page_after_save", None)
        return redirect(page) if page else fallback()

    def post_add_redirect(self):
        return self._back(super().post_add_redirect)

    def post_edit_redirect(self):
        return self._back(super().post_edit_redirect)

    def post_delete_redirect(self):
        return self._back(super().post_delete_redirect)
