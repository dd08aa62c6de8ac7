"""Layouts, the blocks placed in their regions, and the routes that pick a layout for a path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal_blocks.db import Model, NFCText, utcnow
from portal_blocks.text.slug import route_key


class Layout(Model):
    """A named arrangement of regions for one kind of page (e.g. ``news-detail``).

    Its regions and placements are the editors' draft; ``version`` changes with every draft
    edit, so publishing names exactly the draft the editor reviewed.
    """

    __tablename__ = "layout"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(NFCText, default="")
    regions: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    #: The revision readers see; null until the layout is first published.
    published_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("layout_revision.id", ondelete="SET NULL", use_alter=True), default=None
    )

    placements: Mapped[list[Placement]] = relationship(
        back_populates="layout",
        cascade="all, delete-orphan",
        order_by="(Placement.region, Placement.position, Placement.id)",
        lazy="raise",
    )

    __mapper_args__ = {"version_id_col": version}


class Placement(Model):
    """One block instance: its type, region, position and settings."""

    __tablename__ = "placement"
    __table_args__ = (Index("ix_placement_layout_region", "layout_id", "region", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(ForeignKey("layout.id", ondelete="CASCADE"))
    region: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    block_type: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    layout: Mapped[Layout] = relationship(back_populates="placements", lazy="raise")

    __mapper_args__ = {"version_id_col": version}


def _path_key_of_pattern(context: DefaultExecutionContext) -> str:
    """``path_key`` for rows inserted without one (bulk inserts of the table, not the ORM)."""
    parameters = context.get_current_parameters()  # type: ignore[no-untyped-call]  # untyped
    return route_key(str(parameters["pattern"]))


class Route(Model):
    """A URL pattern (werkzeug rule syntax) that picks a layout and binds the article it shows.

    ``/tin-tuc/<slug>`` binds the article by its slug; a route may instead name one article.
    A pattern without a ``<converter>`` is one exact path (an imported legacy address):
    there may be a route for every article, so those are looked up by the path, and only the
    few patterns with converters are matched by werkzeug (``is_pattern``).

    Both are looked up and matched in their ``path_key`` (:func:`route_key`: SharePoint's
    addresses whatever their case), derived from the pattern, which stays as it was written.

    A route may be bound to a ``host`` (a department sub-site's domain serves its own legacy
    addresses, and one path on two hosts is two pages); ``None`` is any host. A request
    takes a route bound to its host before an unbound one. One key is one route per host, and
    one route of any host: NULLs are distinct in a unique constraint on both databases, so
    the unbound routes have a partial unique index of their own.
    """

    __tablename__ = "route"
    __table_args__ = (
        CheckConstraint("is_pattern = (pattern LIKE '%<%')", name="route_is_pattern_matches"),
        Index(
            "ix_route_patterns",
            "id",
            postgresql_where=text("is_pattern"),
            sqlite_where=text("is_pattern = 1"),
        ),
        # The key first: a lookup by path (any host) reads this index.
        UniqueConstraint("path_key", "host", name="uq_route_path_key_host"),
        Index(
            "uq_route_path_key_any_host",
            "path_key",
            unique=True,
            postgresql_where=text("host IS NULL"),
            sqlite_where=text("host IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(500))
    path_key: Mapped[str] = mapped_column(String(500), default=_path_key_of_pattern)
    #: The host the route answers on (lowercased, no port); None: every host.
    host: Mapped[str | None] = mapped_column(String(255), default=None)
    is_pattern: Mapped[bool] = mapped_column(default=False)
    layout_id: Mapped[int] = mapped_column(ForeignKey("layout.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("pattern")
    def _classify(self, _key: str, pattern: str) -> str:
        self.is_pattern = "<" in pattern
        self.path_key = route_key(pattern)
        return pattern
