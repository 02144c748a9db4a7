from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from storeteam.api.main import api
from storeteam.core.media import media_file
from storeteam.storefront import seo
from storeteam.storefront import views as storefront_views

handler400 = "storeteam.storefront.views.bad_request"
handler403 = "storeteam.storefront.views.forbidden"
handler404 = "storeteam.storefront.views.not_found"
handler500 = "storeteam.storefront.views.server_error"

urlpatterns = [
    path("staff/", include("storeteam.backoffice.urls")),
    path("api/v1/", api.urls),
    path("payments/", include("storeteam.payments.urls")),
    path("fulfilment/", include("storeteam.fulfilment.urls")),
    path("i18n/setlang/", storefront_views.language_switch, name="set_language"),
    path("robots.txt", seo.robots_txt, name="robots_txt"),
    path("sitemap.xml", seo.sitemap_index, name="sitemap_index"),
    path("sitemap-categories.xml", seo.sitemap_categories, name="sitemap_categories"),
    path("sitemap-products-<int:page>.xml", seo.sitemap_products, name="sitemap_products"),
]

# Product image renditions, served by the store itself unless MEDIA_URL points elsewhere (a CDN
# or object storage): see core/media.py and ADR 0006.
if settings.MEDIA_URL.startswith("/"):
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:name>", media_file, name="media")
    )

# The shopper's pages carry the language in the path (/sv/, /fr/, /nl/; English at the root),
# so each language has its own URL for search engines.
urlpatterns += i18n_patterns(
    path("account/", include("storeteam.customers.urls")),
    path("", include("storeteam.storefront.urls")),
    prefix_default_language=False,
)
