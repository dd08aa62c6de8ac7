"""``manage.py seed_news content.json``: the demo articles as published NewsPages.

The site's default page becomes the home page and the articles its children, in the file's
order (so the reference article, first, gets the lowest id). Prints ``{slug: page id}`` as JSON.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Page, Site

from news.models import NewsPage

#: content.json's keys that are NewsPage fields of the same name (``body_html`` is ``body``).
SAME_NAME = ("title", "slug", "lead", "author", "source", "category")
IMAGE = ("image_url", "image_caption", "image_alt")


def page_fields(article: dict[str, Any]) -> dict[str, Any]:
    """A NewsPage's field values for one article, the text exactly as the file has it."""
    fields = {name: article.get(name) or "" for name in (*SAME_NAME, *IMAGE)}
    fields["body"] = article["body_html"]
    fields["published_at"] = datetime.fromisoformat(article["published_at"])
    return fields


class Command(BaseCommand):
    help = "Load portal-blocks' demo articles as published NewsPages."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("content", type=Path)

    @transaction.atomic
    def handle(self, *args: Any, content: Path, **options: Any) -> None:
        articles = json.loads(content.read_text(encoding="utf-8"))["articles"]
        site = Site.objects.get(is_default_site=True)
        home = site.root_page.specific
        home.title = "Trang chủ"
        home.save_revision().publish()
        pages: dict[str, int] = {}
        for article in articles:
            fields = page_fields(article)
            live = article.get("status", "published") == "published"
            # first_published_at as the article's own date, so ordering by it means something.
            page = NewsPage(**fields, live=live, first_published_at=fields["published_at"])
            home.add_child(instance=page)
            revision = page.save_revision()
            if live:
                revision.publish()
            pages[page.slug] = page.pk
        assert Page.objects.type(NewsPage).count() == len(articles)
        self.stdout.write(json.dumps(pages))
