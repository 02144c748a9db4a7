"""The external warehouse systems' webhook endpoint (F4): public, since a warehouse system cannot
sign in, and verified by the link's shared-secret signature instead; CSRF-exempt for the same
reason."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storeteam.core.access import public
from storeteam.core.errors import DomainError, NotFoundError
from storeteam.core.signing import SignatureError
from storeteam.fulfilment.link import link_message_receive

MAX_BODY = 256 * 1024


@public
@csrf_exempt
@require_POST
def warehouse_webhook(request: HttpRequest, warehouse: str) -> JsonResponse:
    """200 when applied (or already applied), 400 bad signature or message, 404 unknown link."""
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": "too_large"}, status=413)
    try:
        outcome = link_message_receive(
            warehouse_code=warehouse, headers=dict(request.headers), body=request.body
        )
    except NotFoundError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=404)
    except SignatureError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=400)
    except DomainError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=400)
    return JsonResponse({"received": True, "outcome": outcome})
