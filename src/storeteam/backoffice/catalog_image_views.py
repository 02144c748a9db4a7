"""A product's pictures in the catalog workspace (S1, S12): upload one, describe each in every
language, move them up and down (the first is the one on cards and in shared links), delete.

Shown on the product's page and posted here; a refused change shows that page again with the
form and its problems. The same permission as editing the product. The writes are
``catalog.images``'s services (validated, audited, publishing ``ProductImagesChanged``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from storeteam.backoffice.catalog_forms import PictureTextsForm, PictureUploadForm
from storeteam.backoffice.catalog_views import product_page
from storeteam.catalog.images import (
    ProductImageInvalidError,
    product_image_add,
    product_image_describe,
    product_image_move,
    product_image_remove,
)
from storeteam.catalog.models import Product, ProductImage
from storeteam.core.access import staff_permission
from storeteam.team.roles import MANAGE_CATALOG

MOVES = {"up": -1, "down": 1}


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _back(product: Product) -> HttpResponse:
    url = reverse("backoffice:catalog_product", kwargs={"product_id": product.pk})
    return redirect(f"{url}#pictures")


@staff_permission(MANAGE_CATALOG)
@require_POST
def picture_upload(request: HttpRequest, product_id: int) -> HttpResponse:
    """Add a picture (with its alternative texts) after the product's others."""
    product = get_object_or_404(Product, pk=product_id)
    form = PictureUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            product_image_add(
                product=product,
                file=form.cleaned_data["file"],
                alt=form.alt(),
                actor=request.user,
                ip_address=_ip(request),
            )
        except ProductImageInvalidError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("The picture was added."))
            return _back(product)
    return product_page(request, product, upload_form=form)


@staff_permission(MANAGE_CATALOG)
@require_POST
def picture_change(request: HttpRequest, product_id: int, image_id: int) -> HttpResponse:
    """One picture: save its alternative texts (``do=describe``), move it one place up or down
    (``do=up``, ``do=down``) or delete it (``do=remove``)."""
    product = get_object_or_404(Product, pk=product_id)
    image = get_object_or_404(ProductImage, pk=image_id, product=product)
    action = request.POST.get("do", "")
    if action in MOVES:
        product_image_move(
            product=product,
            image_id=image.pk,
            steps=MOVES[action],
            actor=request.user,
            ip_address=_ip(request),
        )
        messages.success(request, _("The pictures' order was saved."))
    elif action == "remove":
        product_image_remove(
            product=product, image_id=image.pk, actor=request.user, ip_address=_ip(request)
        )
        messages.success(request, _("The picture was deleted."))
    elif action == "describe":
        form = PictureTextsForm(request.POST, prefix=f"img{image.pk}")
        if not form.is_valid():
            return product_page(request, product, picture_form=(image.pk, form))
        try:
            product_image_describe(
                product=product,
                image_id=image.pk,
                alt=form.alt(),
                actor=request.user,
                ip_address=_ip(request),
            )
        except ProductImageInvalidError as error:
            form.add_error(None, error.message)
            return product_page(request, product, picture_form=(image.pk, form))
        messages.success(request, _("The picture's texts were saved."))
    else:
        messages.error(request, _("Choose what to do with the picture."))
    return _back(product)
