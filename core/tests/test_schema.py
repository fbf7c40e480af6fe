def test_schema_describes_the_api(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]
    assert set(schema["paths"]["/api/v1/auth/token/"]) >= {"post", "delete"}
    assert "/api/v1/me/" in schema["paths"]
    assert "/api/v1/suppliers/" in schema["paths"]


def test_docs_page_renders_offline(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    # Served from our own static files, never a CDN: the page works with no network.
    assert "cdn." not in page
    assert "swagger-ui" in page


def test_unknown_api_path_is_json_404(client, db):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
