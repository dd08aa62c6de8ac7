"""Routes: werkzeug's choice of route for a path, found without reading the whole table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from conftest import OLD_ROWS_TIME, REFERENCE_SLUG, count_statements, database_at
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from portal_blocks.db import db
from portal_blocks.demo import NEWS_DETAIL
from portal_blocks.layout.routing import CANDIDATE_ROUTES, match_route
from portal_blocks.layout.service import ensure_route
from portal_blocks.models import Article, Layout, Route


@pytest.fixture
def layout(app) -> Layout:
    return db.session.query(Layout).filter_by(name=NEWS_DETAIL).one()


def article_id() -> int:
    return db.session.query(Article.id).filter_by(slug=REFERENCE_SLUG).scalar()


def test_an_exact_path_wins_over_a_pattern_and_takes_an_optional_slash(layout):
    exact = ensure_route(db.session, "/Pages/trang-cu.aspx", layout, article_id=article_id())
    db.session.commit()
    for path in (
        "/Pages/trang-cu.aspx",
        "/Pages/trang-cu.aspx/",
        "https://x.vn/Pages/trang-cu.aspx?a=1",
    ):
        found = match_route(db.session, path)
        assert (found.route_id, found.article_id, found.slug) == (exact.id, article_id(), None)
    by_pattern = match_route(db.session, "/Pages/trang-khac.aspx")
    assert by_pattern.slug == "trang-khac" and by_pattern.route_id != exact.id


def test_a_pattern_with_a_trailing_slash_and_paths_that_name_no_route(layout):
    ensure_route(db.session, "/chuyen-muc/<slug>/", layout)
    db.session.commit()
    assert match_route(db.session, "/chuyen-muc/kinh-te").slug == "kinh-te"
    assert match_route(db.session, "/chuyen-muc/kinh-te/").slug == "kinh-te"
    for nowhere in ("/khong-co", "/tin-tuc//" + REFERENCE_SLUG, "/Tin-Tuc/" + REFERENCE_SLUG, "/"):
        assert match_route(db.session, nowhere) is None


def test_the_rows_read_do_not_grow_with_exact_routes(layout):
    """One route per imported legacy address: a lookup reads its own and the patterns."""
    created = datetime(2021, 11, 10, tzinfo=UTC)
    db.session.execute(
        Route.__table__.insert(),
        [
            {"pattern": f"/Pages/tin-cu-{n}.aspx", "layout_id": layout.id, "created_at": created}
            for n in range(3000)
        ],
    )
    db.session.commit()
    with count_statements() as statements:
        found = match_route(db.session, "/Pages/tin-cu-2999.aspx")
    assert found is not None and found.slug is None
    assert len(statements) == 1
    # In the form routes are kept in (a SharePoint address lowercased), on no host in particular.
    spellings = {
        "path": "/pages/tin-cu-2999.aspx",
        "other": "/pages/tin-cu-2999.aspx/",
        "host": None,
    }
    read = db.session.execute(CANDIDATE_ROUTES, spellings).all()
    # Its own row, and the two patterns (/tin-tuc/<slug>, /Pages/<slug>.aspx): not 3002 rows.
    assert sorted(r.path_key for r in read) == [
        "/pages/<slug>.aspx",
        "/pages/tin-cu-2999.aspx",
        "/tin-tuc/<slug>",
    ]


def test_the_pattern_flag_cannot_disagree_with_the_pattern(layout):
    route = ensure_route(db.session, "/su-kien/<slug>", layout)
    assert route.is_pattern is True
    assert ensure_route(db.session, "/gioi-thieu", layout).is_pattern is False
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            Route.__table__.insert().values(
                pattern="/lien-he",
                is_pattern=True,
                layout_id=layout.id,
                created_at=datetime(2021, 11, 10, tzinfo=UTC),
            )
        )
        db.session.flush()
    db.session.rollback()


def test_upgrading_marks_the_existing_patterns(tmp_path):
    with database_at("01659aa3e7b1", tmp_path / "old.db"):
        db.session.execute(
            text(
                "INSERT INTO route (id, pattern, layout_id, created_at) VALUES "
                "(1, '/tin-tuc/<slug>', 1, :now), (2, '/Pages/tin-cu-7.aspx', 1, :now)"
            ),
            {"now": OLD_ROWS_TIME},
        )
        db.session.commit()
        upgrade()
        flags = db.session.execute(text("SELECT id, is_pattern FROM route ORDER BY id")).all()
        assert [(i, bool(flag)) for i, flag in flags] == [(1, True), (2, False)]
        assert match_route(db.session, "/Pages/tin-cu-7.aspx").route_id == 2
        assert match_route(db.session, "/tin-tuc/bat-ky").slug == "bat-ky"
        db.session.commit()
        downgrade(revision="01659aa3e7b1")
        columns = db.session.execute(text("SELECT * FROM route")).keys()
        assert "is_pattern" not in columns
