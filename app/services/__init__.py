"""Use cases that touch the session. They flush, never commit: the caller owns the transaction."""


class ServiceError(Exception):
    """A refused operation; `code` names the reason, which the view turns into a message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def violates(error, name: str, table: str, columns: tuple[str, ...]) -> bool:
    """Whether an IntegrityError is the unique constraint or index `name` on `table(columns)`
    (PostgreSQL names it; SQLite lists its columns): a race lost to a concurrent insert."""
    message = str(getattr(error, "orig", error))
    return name in message or ", ".join(f"{table}.{c}" for c in columns) in message
