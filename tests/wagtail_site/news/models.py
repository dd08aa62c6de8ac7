"""``NewsPage``: a portal-blocks article as a Wagtail page, exposed over GraphQL by grapple."""

import graphene
from django.db import models
from grapple.helpers import register_query_field
from grapple.models import GraphQLField, GraphQLRichText, GraphQLString
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


# newsPage(id:, slug:, urlPath:) and newsPages(order:, limit:, offset:, searchQuery:), beside
# grapple's generic page()/pages(): the plural one orders by NewsPage's own fields.
@register_query_field("newsPage", "newsPages")
class NewsPage(Page):
    lead = models.TextField()
    body = RichTextField()
    author = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=255, blank=True)
    category = models.CharField(max_length=255, blank=True)
    published_at = models.DateTimeField()
    image_url = models.CharField(max_length=500, blank=True)
    image_caption = models.CharField(max_length=500, blank=True)
    image_alt = models.CharField(max_length=500, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("lead"),
        FieldPanel("body"),
        FieldPanel("author"),
        FieldPanel("source"),
        FieldPanel("category"),
        FieldPanel("published_at"),
        FieldPanel("image_url"),
        FieldPanel("image_caption"),
        FieldPanel("image_alt"),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.SearchField("category"),
        index.FilterField("category"),
    ]

    graphql_fields = [
        GraphQLString("lead", required=True),
        # html format (grapple's default): the stored HTML, with Wagtail's internal links and
        # embeds expanded; HTML without them comes through byte for byte.
        GraphQLRichText("body", required=True),
        GraphQLString("author", required=True),
        GraphQLString("source", required=True),
        GraphQLString("category", required=True),
        # ISO 8601 with the UTC offset the database gives back (+00:00).
        GraphQLField("published_at", graphene.DateTime, required=True),
        GraphQLString("image_url", required=True),
        GraphQLString("image_caption", required=True),
        GraphQLString("image_alt", required=True),
    ]

    class Meta:
        verbose_name = "news page"
