from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def store(request: HttpRequest) -> dict[str, Any]:
    """The store's name and languages, for every template."""
    return {"STORE_NAME": settings.STORE_NAME}
