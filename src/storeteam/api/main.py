"""Assembles each domain's router into the store's API at /api/v1/ (OpenAPI at openapi.json)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from storeteam.catalog.api import router as catalog_router
from storeteam.checkout.api import router as checkout_router
from storeteam.core.api import router as core_router
from storeteam.core.errors import DomainError, NotFoundError, PermissionDeniedError
from storeteam.pricing.api import router as pricing_router
from storeteam.storefront.api import router as storefront_router
from storeteam.team.api import router as team_router

api = NinjaAPI(
    title="storeteam API",
    version="1",
    description="The store's API for headless fronts, integrations and the back office.",
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/staff", team_router)
api.add_router("/storefront", storefront_router)
api.add_router("/catalog", catalog_router)
api.add_router("/pricing", pricing_router)
api.add_router("/checkout", checkout_router)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """A broken rule as JSON: 404, 403, 422 for a change with a list of ``problems`` (nothing was
    written), 409 for any other."""
    problems = getattr(exc, "problems", None)
    status = (
        404
        if isinstance(exc, NotFoundError)
        else 403
        if isinstance(exc, PermissionDeniedError)
        else 422
        if problems is not None
        else 409
    )
    body: dict[str, object] = {"detail": exc.message, "code": exc.code}
    if problems is not None:
        body["problems"] = [str(p) for p in problems]
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "The request is not valid.", "errors": exc.errors}, status=422
    )
