"""Use cases that touch the session. They flush, never commit: the caller owns the transaction."""


class ServiceError(Exception):
    """A refused operation; `code` names the reason, which the view turns into a message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params
