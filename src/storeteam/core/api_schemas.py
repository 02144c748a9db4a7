"""Pieces every domain's API shares: the error body, and text that cannot carry control
characters (which PostgreSQL refuses in text columns and no shopper or staff member types)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from ninja import Schema
from pydantic import AfterValidator

# The store's languages (settings.LANGUAGES) as the OpenAPI document lists them.
Language = Literal["en", "sv", "fr", "nl"]


def languages_match_settings() -> bool:
    """Whether ``Language`` lists exactly the store's languages (checked by a test)."""
    from django.conf import settings

    return set(get_args(Language)) == {code for code, _name in settings.LANGUAGES}


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


# A str without control characters (tabs and line breaks are allowed).
PlainText = Annotated[str, AfterValidator(_no_control_characters)]


class ErrorOut(Schema):
    """Every error the API answers: ``detail`` says what went wrong; a 422 lists the invalid
    parameters in ``errors`` or the problems of the change in ``problems``."""

    detail: str
    code: str | None = None
    errors: list[dict[str, Any]] | None = None
    problems: list[str] | None = None


ERRORS_READ: dict[int, type[ErrorOut]] = {404: ErrorOut, 422: ErrorOut}
ERRORS_STAFF: dict[int, type[ErrorOut]] = {
    400: ErrorOut,  # a body that is not JSON
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
