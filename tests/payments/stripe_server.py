"""A local HTTP server that answers the Stripe API endpoints the adapter calls, the way Stripe
does (form-encoded requests, JSON answers, Idempotency-Key replays, card errors as 402), so the
official SDK makes a real HTTP round trip in the tests without reaching the network."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


class FakeStripe:
    def __init__(self) -> None:
        self.intents: dict[str, dict[str, Any]] = {}
        self.replies: dict[str, tuple[int, dict[str, Any]]] = {}
        self.requests: list[tuple[str, str, str | None]] = []
        self.lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeStripe:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def calls(self, method: str, path_prefix: str) -> int:
        return sum(1 for m, p, _k in self.requests if m == method and p.startswith(path_prefix))

    def confirm(self, intent_id: str) -> dict[str, Any]:
        """What Stripe does when the shopper passes the bank's check (Stripe.js): the intent is
        authorised (``requires_capture``) or, with automatic capture, captured (``succeeded``)."""
        with self.lock:
            intent = self.intents[intent_id]
            assert intent["status"] == "requires_action", intent["status"]
            self._authorised(intent)
            return dict(intent)

    @staticmethod
    def _authorised(intent: dict[str, Any]) -> None:
        if intent["capture_method"] == "manual":
            intent["status"] = "requires_capture"
        else:  # "automatic" (Stripe's default): captured in the same step
            intent["status"] = "succeeded"
            intent["amount_received"] = intent["amount"]

    # --- the API -------------------------------------------------------------------------

    def _error(self, status: int, kind: str, code: str, **extra: Any) -> tuple[int, dict[str, Any]]:
        return status, {"error": {"type": kind, "code": code, "message": code, **extra}}

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["v1", "payment_intents"]:
            pm = form.get("payment_method", "")
            intent_id = f"pi_{secrets.token_hex(8)}"
            intent = {
                "id": intent_id,
                "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "amount_received": 0,
                "currency": form["currency"],
                "capture_method": form.get("capture_method", "automatic"),
                "metadata": {
                    k[len("metadata[") : -1]: v
                    for k, v in form.items()
                    if k.startswith("metadata[")
                },
                "status": "requires_payment_method",
                "last_payment_error": None,
                "created": int(time.time()),
            }
            if pm == "pm_card_chargeDeclined":
                intent["status"] = "requires_payment_method"
                intent["last_payment_error"] = {
                    "code": "card_declined",
                    "decline_code": "generic_decline",
                }
                self.intents[intent["id"]] = intent
                return self._error(
                    402,
                    "card_error",
                    "card_declined",
                    decline_code="generic_decline",
                    payment_intent=intent,
                )
            if pm == "pm_card_threeDSecure2Required":
                intent["status"] = "requires_action"
            else:
                self._authorised(intent)
            self.intents[intent["id"]] = intent
            return 200, intent
        if parts[:2] == ["v1", "payment_intents"] and len(parts) >= 3:
            intent = self.intents.get(parts[2])
            if intent is None:
                return self._error(404, "invalid_request_error", "resource_missing")
            if method == "GET" and len(parts) == 3:
                return 200, intent
            action = parts[3] if len(parts) == 4 else ""
            if action == "capture":
                if intent["status"] != "requires_capture":
                    return self._error(
                        400, "invalid_request_error", "payment_intent_unexpected_state"
                    )
                intent["status"] = "succeeded"
                intent["amount_received"] = int(form.get("amount_to_capture", intent["amount"]))
                return 200, intent
            if action == "cancel":
                if intent["status"] not in ("requires_capture", "requires_action"):
                    return self._error(
                        400, "invalid_request_error", "payment_intent_unexpected_state"
                    )
                intent["status"] = "canceled"
                return 200, intent
        if method == "POST" and parts == ["v1", "refunds"]:
            intent = self.intents.get(form.get("payment_intent", ""))
            if intent is None or intent["status"] != "succeeded":
                return self._error(400, "invalid_request_error", "charge_not_refundable")
            refunded = intent.setdefault("amount_refunded", 0) + int(form["amount"])
            if refunded > intent["amount_received"]:
                return self._error(400, "invalid_request_error", "amount_too_large")
            intent["amount_refunded"] = refunded
            return 200, {
                "id": f"re_{secrets.token_hex(8)}",
                "object": "refund",
                "amount": int(form["amount"]),
                "payment_intent": intent["id"],
                "status": "succeeded",
            }
        return self._error(404, "invalid_request_error", "unrecognized_request_url")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                path = self.path.split("?")[0]
                key = self.headers.get("Idempotency-Key")
                with fake.lock:
                    fake.requests.append((method, path, key))
                    replayed = key is not None and key in fake.replies
                    if replayed:
                        status, body = fake.replies[key]  # type: ignore[index]
                    else:
                        status, body = fake.answer(method, path, form)
                        if key is not None and method == "POST":
                            fake.replies[key] = (status, json.loads(json.dumps(body)))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                if replayed:
                    self.send_header("Idempotent-Replayed", "true")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler
