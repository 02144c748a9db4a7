"""Static files: hashed names for long browser caching, compressed by whitenoise."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]
    # A name missing from the manifest (a checkout before collectstatic) falls back to its plain
    # name instead of failing the page.
    manifest_strict = False
