"""Emails to one person in their language: a subject and a body rendered from templates
``<name>_subject.txt`` and ``<name>.txt`` (and ``<name>.html`` when asked), under the
recipient's language, the store's default when theirs is not one the store speaks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def email_in_language(
    *,
    to: str,
    language: str,
    template: str,
    context: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
    html: bool = False,
) -> None:
    """Send ``template`` to ``to`` in ``language`` (the store's name is in the context). A
    callable ``context`` is built inside the language, so links it reverses carry its prefix."""
    spoken = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(spoken):
        values = {"store": settings.STORE_NAME, **(context() if callable(context) else context)}
        subject = " ".join(render_to_string(f"{template}_subject.txt", values).split())
        message = EmailMultiAlternatives(
            subject, render_to_string(f"{template}.txt", values), None, [to]
        )
        if html:
            message.attach_alternative(render_to_string(f"{template}.html", values), "text/html")
    message.send()
