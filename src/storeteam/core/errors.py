"""The root of every domain error. Entry points turn these into clear messages, never a 500."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the store was broken by a request; the message is safe to show to the person."""

    code = "domain_error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.__class__.__name__)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0])


class PermissionDeniedError(DomainError):
    """The person may not do this."""

    code = "permission_denied"


class NotFoundError(DomainError):
    """The thing asked for does not exist, or is not yours to see."""

    code = "not_found"
