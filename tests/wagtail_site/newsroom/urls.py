"""GraphQL at /graphql/ (what portal-blocks reads), Wagtail's admin at /admin/ and its pages."""

from django.urls import include, path
from grapple import urls as grapple_urls
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("", include(grapple_urls)),
    path("", include(wagtail_urls)),
]
