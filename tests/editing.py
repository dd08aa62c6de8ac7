"""GraphQL documents and helpers shared by the editing tests."""

from __future__ import annotations

from typing import Any

DRAFT_LAYOUT = """query($name: String!) { draftLayout(name: $name) {
  id name regions version publishedRevision
  placements { id region position blockType settings version }
  revisions { number publishedBy revertedFrom } } }"""

LAYOUT_FIELDS = (
    "layout { name regions version publishedRevision "
    "placements { id region position blockType settings version } "
    "revisions { number revertedFrom } }"
)
PLACEMENT_FIELDS = f"placement {{ id region position blockType settings version }} {LAYOUT_FIELDS}"
ERRORS = "errors { field code message }"
ARTICLE_FIELDS = "article { id slug title lead bodyHtml status legacyPath url version publishedAt }"

PLACE = f"""mutation($layout: String!, $version: Int!, $region: String!, $type: String!,
  $settings: JSON, $position: Int) {{
  placeBlock(layout: $layout, version: $version, region: $region, blockType: $type,
    settings: $settings, position: $position) {{ {PLACEMENT_FIELDS} {ERRORS} }} }}"""
MOVE = f"""mutation($id: ID!, $version: Int!, $region: String!, $position: Int!) {{
  moveBlock(id: $id, version: $version, region: $region, position: $position) {{
    {PLACEMENT_FIELDS} {ERRORS} }} }}"""
CONFIGURE = f"""mutation($id: ID!, $version: Int!, $settings: JSON!) {{
  configureBlock(id: $id, version: $version, settings: $settings) {{
    {PLACEMENT_FIELDS} {ERRORS} }} }}"""
REMOVE = f"""mutation($id: ID!, $version: Int!) {{
  removeBlock(id: $id, version: $version) {{ {PLACEMENT_FIELDS} {ERRORS} }} }}"""
CREATE_LAYOUT = f"""mutation($name: String!, $regions: [String!]!, $title: String! = "") {{
  createLayout(name: $name, regions: $regions, title: $title) {{ {LAYOUT_FIELDS} {ERRORS} }} }}"""
SET_REGIONS = f"""mutation($layout: String!, $version: Int!, $regions: [String!]!) {{
  setRegions(layout: $layout, version: $version, regions: $regions) {{
    {LAYOUT_FIELDS} {ERRORS} }} }}"""
PUBLISH_LAYOUT = f"""mutation($layout: String!, $version: Int!) {{
  publishLayout(layout: $layout, version: $version) {{ {LAYOUT_FIELDS} {ERRORS} }} }}"""
REVERT_LAYOUT = f"""mutation($layout: String!, $version: Int!, $revision: Int!) {{
  revertLayout(layout: $layout, version: $version, revision: $revision) {{
    {LAYOUT_FIELDS} {ERRORS} }} }}"""
ROUTE_PATH = f"""mutation($pattern: String!, $layout: String!, $article: String) {{
  routePath(pattern: $pattern, layout: $layout, articleSlug: $article) {{
    route {{ id pattern layoutId articleId }} {ERRORS} }} }}"""
CREATE_ARTICLE = f"""mutation($input: ArticleInput!) {{
  createArticle(input: $input) {{ {ARTICLE_FIELDS} {ERRORS} }} }}"""
UPDATE_ARTICLE = f"""mutation($slug: String!, $version: Int!, $input: ArticleInput!) {{
  updateArticle(slug: $slug, version: $version, input: $input) {{ {ARTICLE_FIELDS} {ERRORS} }} }}"""
PUBLISH_ARTICLE = f"""mutation($slug: String!, $version: Int!) {{
  publishArticle(slug: $slug, version: $version) {{ {ARTICLE_FIELDS} {ERRORS} }} }}"""
UNPUBLISH_ARTICLE = f"""mutation($slug: String!, $version: Int!) {{
  unpublishArticle(slug: $slug, version: $version) {{ {ARTICLE_FIELDS} {ERRORS} }} }}"""
DELETE_ARTICLE = f"""mutation($slug: String!, $version: Int!) {{
  deleteArticle(slug: $slug, version: $version) {{ {ARTICLE_FIELDS} {ERRORS} }} }}"""
REVERT_ARTICLE = f"""mutation($slug: String!, $version: Int!, $entry: ID!) {{
  revertArticle(slug: $slug, version: $version, historyEntry: $entry) {{
    {ARTICLE_FIELDS} {ERRORS} }} }}"""

LAYOUT_HISTORY = """query { layoutHistory(name: "news-detail") {
  actor action entityType entityId before after } }"""

PAGE_BLOCKS = """query($path: String!, $preview: Boolean! = false) {
  page(path: $path, preview: $preview) { article { slug title status }
    regions { name html blocks { __typename id position html
      ... on Block_BanTin_Toolbar { dateText settings { asJson } }
      ... on Block_BanTin_ViewData { bodyHtml paragraphs } } } } }"""


def payload(result: dict[str, Any]) -> dict[str, Any]:
    """The single mutation payload of a result, after checking there was no GraphQL error."""
    assert "errors" not in result, result
    [value] = result["data"].values()
    return value


def ok(result: dict[str, Any]) -> dict[str, Any]:
    value = payload(result)
    assert value["errors"] == [], value["errors"]
    return value


def codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload(result)["errors"]]


def draft(run, name: str = "news-detail") -> dict[str, Any]:
    result = run(DRAFT_LAYOUT, {"name": name})
    assert "errors" not in result, result
    return result["data"]["draftLayout"]


def block(layout: dict[str, Any], block_type: str) -> dict[str, Any]:
    return next(p for p in layout["placements"] if p["blockType"] == block_type)


def positions(layout: dict[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """Region -> [(block id, position)] in position order."""
    by_region: dict[str, list[tuple[str, int]]] = {}
    for p in sorted(layout["placements"], key=lambda p: (p["region"], p["position"])):
        by_region.setdefault(p["region"], []).append((p["id"], p["position"]))
    return by_region
