"""What a client sends never produces a 500: wrong methods, forged cursors, deep or broken
JSON, numbers no decimal can hold; and a database or cache that is down answers in JSON."""

import base64
import json
import uuid
from urllib.parse import quote

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from core.tenancy import cross_tenant_scope
from disputes.tests.conftest import Disputes
from orders.models import Order
from tests.test_api_views_are_scoped import PUBLIC_VIEWS

API = "/api/v1"
WRITE_METHODS = ("post", "put", "patch", "delete")
NOBODY = str(uuid.UUID(int=1))  # stable, so that parallel workers collect the same tests


@pytest.fixture
def dispute(world):
    return Disputes(world).open("acme_agent")


def api_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from api_patterns(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            yield pattern


def allowed_methods(pattern) -> set[str]:
    actions = getattr(pattern.callback, "actions", None)
    if actions is not None:  # a viewset route: the methods its router mapped
        return set(actions)
    view_class = pattern.callback.view_class
    return {method for method in view_class.http_method_names if hasattr(view_class, method)}


def refused_writes():
    """(url, method) for every write method an API route does not serve."""
    pairs = []
    for pattern in api_patterns():
        view_class = getattr(pattern.callback, "cls", None) or pattern.callback.view_class
        if view_class.__name__ in PUBLIC_VIEWS:
            continue
        groups = pattern.pattern.regex.groupindex
        url = reverse(pattern.name, kwargs={name: NOBODY for name in groups})
        pairs += [
            (url, method) for method in WRITE_METHODS if method not in allowed_methods(pattern)
        ]
    return pairs


def test_the_walk_finds_the_read_only_paths_of_the_issue():
    urls = {url.split("/")[3] for url, _method in refused_writes()}
    assert {"me", "suppliers", "disputes", "imports", "notifications"} <= urls
    assert any(url.endswith("/timeline/") for url, _method in refused_writes())
    assert len({url for url, _method in refused_writes()}) >= 13


@pytest.mark.parametrize(("url", "method"), refused_writes())
@pytest.mark.parametrize("caller", ["acme_owner", "acme_viewer", "shenzhen_admin", None])
def test_a_write_to_a_read_only_path_is_a_json_405(world, url, method, caller):
    response = getattr(world.client(caller), method)(url, {}, format="json")
    assert response.status_code == 405, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def forged_cursor(position: str) -> str:
    return quote(base64.b64encode(f"o=0&r=0&p={position}".encode()).decode())


@pytest.mark.parametrize(
    ("caller", "path"),
    [
        ("acme_owner", "orders/"),
        ("acme_owner", "disputes/"),
        ("acme_owner", "notifications/"),
        ("acme_owner", "webhooks/"),
        ("shenzhen_admin", "disputes/"),
        ("shenzhen_admin", "orders/"),
    ],
)
@pytest.mark.parametrize("position", ["not-a-uuid", "2025-01-01T00:00:00Z|x", "\x00", ""])
def test_a_forged_cursor_is_a_400(world, caller, path, position):
    response = world.client(caller).get(f"{API}/{path}?cursor={forged_cursor(position)}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_a_supplier_cursor_is_any_slug_but_never_nul(world):
    client = world.client("acme_owner")
    assert client.get(f"{API}/suppliers/?cursor={forged_cursor('not-a-uuid')}").status_code == 200
    assert client.get(f"{API}/suppliers/?cursor={forged_cursor(chr(0))}").status_code == 400


def test_a_forged_timeline_cursor_is_a_400(world, dispute):
    url = f"{API}/disputes/{dispute.pk}/timeline/?cursor={forged_cursor('abc')}"
    assert world.client("acme_owner").get(url).status_code == 400


def test_an_unreadable_cursor_is_a_400(world):
    assert world.client("acme_owner").get(f"{API}/orders/?cursor=garbage").status_code == 400


def post_raw(client, url, raw: str):
    return client.post(url, raw, content_type="application/json")


@pytest.mark.parametrize("depth", [40, 1_000, 100_000])
@pytest.mark.parametrize("path", ["orders/", "orders/bulk/", "disputes/", "webhooks/"])
def test_deeply_nested_json_is_a_400(world, path, depth):
    raw = '{"orders": ' + "[" * depth + "]" * depth + "}"
    response = post_raw(world.client("acme_owner"), f"{API}/{path}", raw)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    with cross_tenant_scope(reason="test"):
        assert not Order.objects.exists()


def order_json(**overrides) -> str:
    body = {
        "external_id": "#1",
        "placed_at": "2025-05-01T10:00:00Z",
        "currency": "USD",
        "customer": {"name": "Ada", "email": "ada@example.test"},
        "shipping_address": {"line1": "1 Row", "city": "Boston", "country": "US"},
        "lines": [
            {
                "sku": "A",
                "title": "Tent",
                "quantity": 1,
                "unit_price": "1.00",
                "supplier": "shenzhen-supply",
            }
        ],
    }
    raw = json.dumps(body)
    for marker, replacement in overrides.items():
        raw = raw.replace(marker, replacement)
    return raw


@pytest.mark.parametrize(
    ("marker", "replacement"),
    [
        ('"Ada"', '"\\ud800"'),
        ('"Tent"', '"x\\udfff"'),
        ('"#1"', '"\\ud800\\ud800"'),
        ('"external_id"', '"\\udc00"'),  # in a key
    ],
)
def test_a_lone_surrogate_in_a_string_is_a_400(world, marker, replacement):
    raw = order_json(**{marker: replacement})
    response = post_raw(world.client("acme_owner"), f"{API}/orders/", raw)
    assert response.status_code == 400
    with cross_tenant_scope(reason="test"):
        assert not Order.objects.exists()


def test_a_lone_surrogate_is_refused_on_every_json_endpoint(world, dispute):
    client = world.client("acme_owner")
    for path, raw in [
        (f"disputes/{dispute.pk}/messages/", '{"body": "hi \\ud800"}'),
        ("webhooks/", '{"url": "https://x.example/\\ud800", "events": ["*"]}'),
        (f"disputes/{dispute.pk}/proposals/", '{"resolution": "refund", "note": "\\ud800"}'),
    ]:
        response = post_raw(client, f"{API}/{path}", raw)
        assert response.status_code == 400, (path, response.content[:200])


@pytest.mark.parametrize("amount", ["1e309", "1E+400", "-1e309", "NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("quoted", [False, True])
def test_amounts_no_decimal_can_hold_are_a_400(world, dispute, amount, quoted):
    value = f'"{amount}"' if quoted else amount
    client = world.client("acme_owner")
    for path, raw in [
        (
            f"disputes/{dispute.pk}/proposals/",
            f'{{"resolution": "partial_refund", "amount": {value}}}',
        ),
        ("orders/", order_json(**{'"1.00"': value})),
    ]:
        response = post_raw(client, f"{API}/{path}", raw)
        assert response.status_code == 400, (path, amount, response.content[:200])
        assert response["Content-Type"] == "application/json"


def test_a_date_filter_in_year_one_is_a_400(world):
    response = world.client("acme_owner").get(f"{API}/orders/?placed_before=0001-01-01")
    assert response.status_code == 400


def database_down(monkeypatch):
    def refuse():
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr(connection, "ensure_connection", refuse)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "me/"), ("get", "orders/"), ("post", "orders/"), ("post", "auth/token/")],
)
def test_with_the_database_down_the_api_answers_503_in_json(world, monkeypatch, method, path):
    client = world.client("acme_owner")
    client.raise_request_exception = False
    with monkeypatch.context() as patch:
        database_down(patch)
        response = getattr(client, method)(
            f"{API}/{path}", {"email": "a@example.test", "password": "x"}, format="json"
        )
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
    assert response["Retry-After"]


def test_with_the_database_down_a_page_answers_503(world, monkeypatch):
    client = APIClient()
    client.force_login(world.users["acme_owner"])
    client.raise_request_exception = False
    with monkeypatch.context() as patch:
        database_down(patch)
        response = client.get("/app/orders/")
    assert response.status_code == 503


REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
    }
}


@override_settings(CACHES=REDIS_DOWN)
def test_a_token_is_issued_while_the_cache_is_down(world):
    world.users["acme_owner"].set_password("right-password-1")
    world.users["acme_owner"].save()
    response = APIClient().post(
        f"{API}/auth/token/",
        {"email": "acme_owner@example.test", "password": "right-password-1"},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    assert response.json()["token"].startswith("rdr_")


@pytest.mark.parametrize(
    "query",
    [
        "orders/?page_size=abc",
        "orders/?page_size=0",
        "disputes/?page_size=null",
        "rules/?page_size=null",
        "notifications/?unread=null",
        "disputes/?overdue=perhaps",
        "orders/?has_dispute=null",
    ],
)
def test_query_parameters_the_schema_does_not_allow_are_a_400(world, query):
    response = world.client("acme_owner").get(f"{API}/{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_options_on_a_detail_path_describes_it_without_looking_anything_up(world):
    response = world.client("acme_owner").options(f"{API}/rules/0/")
    assert response.status_code == 200
    assert response.json()["name"]


def test_a_form_with_too_many_fields_is_a_json_400(world):
    client = world.client("acme_owner")
    client.raise_request_exception = False
    body = "&".join(f"orders=x{index}" for index in range(1_500))
    response = client.post(
        f"{API}/orders/bulk/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_rule_settings_take_json_only(world):
    response = world.client("acme_owner").put(f"{API}/rules/auto-close/", {"numbers": "x"})
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("close/", {"note": 0}),
        ("messages/", {"body": 5}),
        ("messages/", {"body": "hi", "internal": 0}),
        ("messages/", {"body": "hi", "internal": "yes"}),
        ("proposals/", {"resolution": "refund", "note": ["x"]}),
    ],
)
def test_a_value_of_the_wrong_json_type_is_a_400(world, dispute, path, body):
    response = world.client("acme_owner").post(
        f"{API}/disputes/{dispute.pk}/{path}", body, format="json"
    )
    assert response.status_code == 400, response.content[:300]
