"""The Flask extensions, one instance each, bound to an app by `create_app`."""

from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# FAB's Model metadata, so that Alembic's autogenerate sees FAB's tables and ours.
db = SQLA(metadata=Model.metadata)
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()
