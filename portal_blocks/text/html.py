"""Article body HTML: sanitising on the way in, plain paragraphs on the way out."""

from __future__ import annotations

from functools import lru_cache
from html.parser import HTMLParser

import nh3

#: Tags an article body may hold. Anything else is dropped with its markup (its text is kept),
#: and ``script``/``style`` are dropped with their content.
ALLOWED_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "em",
        "figcaption",
        "figure",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
    }
)
#: Attributes per tag; event handlers and ``style`` are never allowed.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang", "dir"},
}
#: URL schemes allowed in ``href`` and ``src``; ``javascript:`` and ``data:`` are not.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def sanitize_html(body: str) -> str:
    """Strip scripts, event handlers and dangerous URLs, keeping the authored text as it is."""
    return nh3.clean(
        body,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


_PARAGRAPH_TAGS = frozenset(
    {"p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figcaption", "td", "th"}
)


class _ParagraphCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._depth = 0
        self._buffer: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        elif tag in _PARAGRAPH_TAGS:
            self._flush()
            self._depth += 1
        elif tag == "br":
            self._buffer.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)
        elif tag in _PARAGRAPH_TAGS:
            self._flush()
            self._depth = max(0, self._depth - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.paragraphs.append(text)
        self._buffer = []

    def close(self) -> None:
        super().close()
        self._flush()


def paragraphs(body_html: str) -> list[str]:
    """The body's paragraphs as plain text (whitespace runs collapsed, as a browser shows them)."""
    return list(_paragraphs(body_html))


@lru_cache(maxsize=256)
def _paragraphs(body_html: str) -> tuple[str, ...]:
    """Parsing is most of a page's cost on a cache miss; a body's paragraphs never change."""
    collector = _ParagraphCollector()
    collector.feed(body_html)
    collector.close()
    return tuple(collector.paragraphs)
