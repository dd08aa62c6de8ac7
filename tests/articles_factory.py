"""Articles for list and search tests, written through the same path as every other write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from portal_blocks.content.articles import upsert_article
from portal_blocks.db import db
from portal_blocks.models import Article

_serial = count(1)
BASE_DATE = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)


def add_article(
    title: str,
    *,
    body: str = "",
    lead: str = "",
    category: str | None = "Tin tức",
    status: str = "published",
    day: int | None = None,
    published_at: datetime | None = None,
) -> Article:
    n = next(_serial)
    when = published_at or BASE_DATE + timedelta(days=n if day is None else day)
    article = upsert_article(
        db.session,
        {
            "slug": f"bai-{n}",
            "title": title,
            "lead": lead,
            "body_html": f"<p>{body}</p>" if body else "",
            "category": category,
            "status": status,
            "published_at": when.isoformat(),
        },
    )
    db.session.commit()
    return article
