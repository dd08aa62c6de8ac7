"""One definition of what readers see: an article page, lists, search, related news and the
front page show an article, or none of them does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from articles_factory import add_article
from sqlalchemy import update

from portal_blocks.content import editing
from portal_blocks.content.articles import upsert_article
from portal_blocks.content.listing import list_articles, newest_published
from portal_blocks.content.records import record_from_model
from portal_blocks.content.source import SqlAlchemyArticleSource
from portal_blocks.db import db, utcnow
from portal_blocks.models import Article

CATEGORY = "Kiểm thử hiển thị"
WORD = "xemthu"


def _make(state: str) -> Article:
    """An article in ``state``, written the way such an article can come about."""
    when = utcnow() + timedelta(days=30) if state == "future" else None
    article = add_article(
        f"Bài {WORD} {state}",
        category=CATEGORY,
        status="draft" if state == "draft" else "published",
        published_at=when,
    )
    if state == "deleted":
        article.deleted_at = utcnow()
        db.session.commit()
    if state == "undated":
        # Our writes always date a published article (see the last test), so an undated one
        # can only be a row written by other SQL: done here without the ORM's hooks.
        db.session.execute(
            update(Article).where(Article.id == article.id).values(published_at=None)
        )
        db.session.commit()
        db.session.expire_all()
    return article


def _seen_by(article: Article) -> dict[str, bool]:
    """Whether each reader's view shows ``article``."""
    source = SqlAlchemyArticleSource(db.session)
    anchor = add_article(f"Neo {WORD}", category=CATEGORY, day=1)
    related = source.related(record_from_model(anchor), limit=20)
    return {
        "by_slug": source.by_slug(article.slug) is not None,
        "by_ids": str(article.id) in source.by_ids([str(article.id)]),
        "listing": article.id in {i.article.id for i in list_articles(db.session).items},
        "search": article.id
        in {i.article.id for i in list_articles(db.session, search=WORD).items},
        "related": str(article.id) in {r.id for r in related},
        "front page": str(article.id) in {r.id for r in newest_published(db.session, 50)},
    }


@pytest.mark.parametrize(
    ("state", "visible"),
    [
        ("published", True),
        # No scheduled publishing: a date ahead hides nothing, anywhere.
        ("future", True),
        ("draft", False),
        ("deleted", False),
        ("undated", False),
    ],
)
def test_every_reader_view_agrees(app, state, visible):
    article = _make(state)
    seen = _seen_by(article)
    assert seen == dict.fromkeys(seen, visible)


def test_an_editor_preview_sees_drafts_but_not_deleted_articles(app):
    source = SqlAlchemyArticleSource(db.session)
    draft, deleted = _make("draft"), _make("deleted")
    assert source.by_slug(draft.slug, include_drafts=True) is not None
    assert set(source.by_ids([str(draft.id), str(deleted.id)], include_drafts=True)) == {
        str(draft.id)
    }
    assert source.by_slug(deleted.slug, include_drafts=True) is None


def test_front_page_is_the_first_page_of_the_list(app):
    for n in range(4):
        add_article(f"Bài {n}", day=n + 1)
    _make("draft")
    listed = [i.article.slug for i in list_articles(db.session, first=3).items]
    assert [r.slug for r in newest_published(db.session, 3)] == listed
    assert newest_published(db.session, 0) == []


def test_every_write_of_a_published_article_dates_it(app):
    """Why the date belongs to the definition: no write of ours leaves a published article
    undated, so requiring one hides nothing that was published."""
    imported = upsert_article(
        db.session, {"slug": "nhap-khong-ngay", "title": "Nhập không ngày", "status": "published"}
    )
    db.session.commit()
    assert imported.published_at is not None  # the importer's and the demo's write
    db.session.execute(update(Article).where(Article.id == imported.id).values(published_at=None))
    db.session.commit()
    db.session.expire_all()
    article = db.session.get(Article, imported.id)
    article.lead = "Đổi tóm tắt"  # any later write through the ORM dates it again
    db.session.commit()
    assert article.published_at is not None

    created = editing.create_article(db.session, "test", {"title": "Bài mới"})
    db.session.commit()
    assert created.published_at is None  # a draft needs no date
    published = editing.publish_article(db.session, "test", slug=created.slug, version=1)
    db.session.commit()
    assert published.published_at is not None
    cleared = editing.update_article(
        db.session,
        "test",
        slug=created.slug,
        version=published.version,
        data={"published_at": None},
    )
    db.session.commit()
    assert cleared.status.value == "published" and cleared.published_at is not None
