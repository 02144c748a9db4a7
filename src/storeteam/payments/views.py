"""The providers' webhook endpoint (S10): public, since providers cannot sign in, and verified by
each gateway's own signature check instead; CSRF-exempt for the same reason."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from storeteam.core.access import public
from storeteam.payments.gateways.base import UnknownGatewayError, WebhookSignatureError
from storeteam.payments.services import webhook_receive

MAX_BODY = 512 * 1024


@public
@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> JsonResponse:
    """200 when stored (or already seen), 400 on a bad signature, 404 for an unknown provider."""
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": "too_large"}, status=413)
    try:
        receipt = webhook_receive(
            provider=provider, headers=dict(request.headers), body=request.body
        )
    except UnknownGatewayError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=404)
    except WebhookSignatureError as exc:
        return JsonResponse({"error": exc.code, "message": exc.message}, status=400)
    return JsonResponse(
        {"received": True, "duplicate": receipt.duplicate, "outcome": receipt.outcome}
    )
