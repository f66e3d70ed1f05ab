"""Text filters that ignore case and accents on SQLite and PostgreSQL alike (issue 9: "jerome"
finds "Jérôme"): both sides are folded the same way, the column by SQL's `translate(lower(…))`
and the typed text in Python. PostgreSQL has `translate`; SQLite gets the same function
(`install`, on each new connection). SQLite's `lower` only folds ASCII, so the
table maps upper- and lower-case accented letters alike."""

from sqlalchemy import event, func
from sqlalchemy.engine import Engine

from app.domain.names import strip_accents

ACCENTED = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖòóôõöÙÚÛÜùúûüÝŸýÿ"


def fold(text: str) -> str:
    """Lower case, without accents (what `folded` does in SQL)."""
    return strip_accents(text).lower()


PLAIN = "".join(fold(char) for char in ACCENTED)  # one plain letter each


def folded(column):
    return func.translate(func.lower(column), ACCENTED, PLAIN)


def contains(column, value: str):
    """`column` contains `value`, whatever the case and accents; % and _ are taken literally."""
    escaped = fold(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded(column).like(f"%{escaped}%", escape="\\")


def _translate(text, source, target):
    """PostgreSQL's translate(): each character of `source` becomes the one at the same place
    in `target`, or disappears when `target` is shorter."""
    if text is None:
        return None
    table = {ord(char): (target[i] if i < len(target) else None) for i, char in enumerate(source)}
    return text.translate(table)


def _register_sqlite_functions(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.create_function("translate", 3, _translate, deterministic=True)


def install() -> None:
    """Give every new SQLite connection PostgreSQL's `translate` (once per process)."""
    if not event.contains(Engine, "connect", _register_sqlite_functions):
        event.listen(Engine, "connect", _register_sqlite_functions)
