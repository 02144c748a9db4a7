from __future__ import annotations

from typing import Any

from django import template

from storeteam.backoffice.navigation import navigation_for

register = template.Library()


@register.inclusion_tag("backoffice/nav.html", takes_context=True)
def backoffice_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    current = request.resolver_match.view_name if request.resolver_match else ""
    return {"items": navigation_for(request.user), "current": current}


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None
