from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "storeteam.storefront"
    label = "storefront"
    verbose_name = _("Storefront")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from storeteam.core.warmup import warmup
        from storeteam.storefront.carts import merge_at_sign_in
        from storeteam.storefront.listing_index import listing_index_warm

        # The customers app signs shoppers in but sits below checkout; the storefront, which
        # knows both, moves the guest cart into the account at that moment.
        user_logged_in.connect(merge_at_sign_in, dispatch_uid="storefront.merge_cart_at_sign_in")
        # The web server loads the listing index once, before its workers fork.
        warmup(listing_index_warm)
