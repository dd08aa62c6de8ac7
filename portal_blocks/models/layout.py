"""Layouts, the blocks placed in their regions, and the routes that pick a layout for a path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from portal_blocks.db import Model, NFCText, utcnow


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


class Route(Model):
    """A URL pattern (werkzeug rule syntax) that picks a layout and binds the article it shows.

    ``/tin-tuc/<slug>`` binds the article by its slug; a route may instead name one article.
    A pattern without a ``<converter>`` is one exact path (an imported legacy address):
    there may be a route for every article, so those are looked up by the path, and only the
    few patterns with converters are matched by werkzeug (``is_pattern``).
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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(500), unique=True)
    is_pattern: Mapped[bool] = mapped_column(default=False)
    layout_id: Mapped[int] = mapped_column(ForeignKey("layout.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("pattern")
    def _classify(self, _key: str, pattern: str) -> str:
        self.is_pattern = "<" in pattern
        return pattern
