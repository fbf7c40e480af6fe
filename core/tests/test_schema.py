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


def schema_paths(client) -> dict:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()["paths"]


def test_every_operation_documents_its_error_answers(client, db):
    missing = []
    for path, operations in schema_paths(client).items():
        for method, operation in operations.items():
            expected = set()
            parameters = operation.get("parameters", [])
            if method in ("post", "put", "patch") or any(p["in"] == "query" for p in parameters):
                expected.add("400")
            if operation.get("security"):
                expected.add("401")
            if any(p["in"] == "path" for p in parameters):
                expected.add("404")
            if method == "post":
                expected |= {"409", "415"}
            for code in expected - set(operation["responses"]):
                missing.append((method, path, code))
            for code, answer in operation["responses"].items():
                if code >= "400":
                    assert "application/json" in answer["content"], (method, path, code)
    assert missing == []


def test_error_answers_that_apply_only_somewhere_are_documented_there(client, db):
    paths = schema_paths(client)
    token = paths["/api/v1/auth/token/"]["post"]["responses"]
    assert {"401", "429"} <= set(token)
    upload = paths["/api/v1/disputes/{id}/attachments/"]["post"]["responses"]
    assert {"413", "415"} <= set(upload)
    assert "413" not in paths["/api/v1/orders/"]["post"]["responses"]
    # Merchant-only or role-restricted: 403; open to every member of either kind: not.
    assert "403" in paths["/api/v1/suppliers/"]["get"]["responses"]
    assert "403" not in paths["/api/v1/me/"]["get"]["responses"]


def test_downloads_are_documented_with_any_content_type(client, db):
    download = schema_paths(client)["/api/v1/attachments/{id}/download/"]["get"]
    assert set(download["responses"]["200"]["content"]) == {"*/*"}
