"""The public tracking page (F5, G4): an order's number and its email address or postcode show
where its parcels are, and honestly say when the order waits for the warehouse."""

from __future__ import annotations

from django import forms
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from storeteam.core.access import public
from storeteam.fulfilment.tracking import order_tracking

# Lookups one address may make per window: enough for a shopper with typos, too few to guess.
LOOKUPS_PER_WINDOW = 20
WINDOW_SECONDS = 600


class TrackForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=20)
    secret = forms.CharField(
        label=_("Email address or delivery postcode"),
        max_length=254,
        help_text=_("The one you gave when you ordered."),
    )


def _too_many(request: HttpRequest) -> bool:
    key = f"track:lookups:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, WINDOW_SECONDS)
        count = 1
    return count > LOOKUPS_PER_WINDOW


@public
@never_cache
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    view = None
    status = 200
    if request.method == "POST" and form.is_valid():
        if _too_many(request):
            form.add_error(None, _("Too many lookups from here; try again in a few minutes."))
            status = 429
        else:
            view = order_tracking(
                number=form.cleaned_data["number"], secret=form.cleaned_data["secret"]
            )
            if view is None:
                form.add_error(
                    None,
                    _("We found no order with this number and email address or postcode."),
                )
                status = 404
    response = render(request, "storefront/track.html", {"form": form, "view": view}, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response
