"""The legal pages, public (no login): the legal notice ("Mentions légales", LCEN art. 6) and the
personal-data page ("Données personnelles", GDPR art. 13-14: what the portal keeps, why, for how
long, who receives it, the rights and the DPO). Everything about the service comes from the
settings (config.identity())."""

from flask_appbuilder import BaseView, expose


class LegalView(BaseView):
    route_base = "/legal"
    default_view = "notice"

    @expose("/mentions-legales")
    def notice(self):
        return self.render_template("legal/notice.html")

    @expose("/donnees-personnelles")
    def privacy(self):
        return self.render_template("legal/privacy.html")
