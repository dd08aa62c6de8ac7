"""``manage.py news_page edit|publish|unpublish SLUG [--fields JSON]``: what an editor does.

Each action goes through Wagtail's own revision and publishing calls, so it sends the same
``page_published`` / ``page_unpublished`` signals as the admin's buttons (and, with a webhook
configured, calls portal-blocks from this process).
"""

import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from news.models import NewsPage


class Command(BaseCommand):
    help = "Edit and publish, publish, or unpublish one NewsPage."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["edit", "publish", "unpublish"])
        parser.add_argument("slug")
        parser.add_argument("--fields", default="{}", help="JSON object of NewsPage fields")

    def handle(self, *args: Any, action: str, slug: str, fields: str, **options: Any) -> None:
        try:
            page = NewsPage.objects.get(slug=slug)
        except NewsPage.DoesNotExist as error:
            raise CommandError(f"no NewsPage with slug {slug!r}") from error
        if action == "unpublish":
            page.unpublish()
            return
        # The latest draft, as the editor would see it in the admin.
        draft = page.get_latest_revision_as_object()
        for name, value in json.loads(fields).items():
            if not any(field.name == name for field in NewsPage._meta.get_fields()):
                raise CommandError(f"NewsPage has no field {name!r}")
            if name == "published_at":
                value = datetime.fromisoformat(value)
            setattr(draft, name, value)
        draft.save_revision().publish()
