"""Serving the store's media files (product image renditions) from MEDIA_ROOT, in production too.

Only names that carry a content hash are served (see catalog.images and ADR 0006), so every
answer may be cached for a year and marked immutable: a changed picture has a new name. The
originals as uploaded are never served. A CDN or a front proxy in front of the store caches these
answers, so the web processes see each file rarely; with object storage, MEDIA_URL points there
and this view is not mounted.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

from storeteam.core.access import public

SERVED_NAME = re.compile(r"products/[0-9a-f]{2}/[0-9a-f]{32}-[a-z0-9]+-[0-9]{1,5}\.(webp|jpg)")
CONTENT_TYPES = {"webp": "image/webp", "jpg": "image/jpeg"}
FOREVER = "public, max-age=31536000, immutable"


@public
@require_safe
def media_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """One media file by its hashed name: 404 for any other name, 304 when the browser has it."""
    served = SERVED_NAME.fullmatch(name)
    if served is None:
        raise Http404
    etag = '"' + name.rsplit("/", 1)[-1] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        not_modified["Cache-Control"] = FOREVER
        return not_modified
    try:
        handle = open(safe_join(str(settings.MEDIA_ROOT), name), "rb")  # noqa: SIM115 (FileResponse closes it)
    except (FileNotFoundError, IsADirectoryError):
        raise Http404 from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[served.group(1)])
    response["Cache-Control"] = FOREVER
    response["ETag"] = etag
    return response
