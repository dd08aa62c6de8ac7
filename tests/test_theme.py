"""The demo theme and GraphiQL, as a newcomer's browser meets them."""

from conftest import REFERENCE_SLUG


def test_index_lists_the_article(client):
    body = client.get("/").get_data(as_text=True)
    assert f'href="/tin-tuc/{REFERENCE_SLUG}"' in body


def test_unknown_page_is_a_404_page(client):
    response = client.get("/tin-tuc/khong-ton-tai")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_graphiql_is_served_to_browsers(client):
    response = client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.get_data(as_text=True).lower()


def test_block_assets_are_served(client):
    assert client.get("/_blocks/static/portal_blocks.css").status_code == 200
