"""Login lock-out and reset limits that a client cannot dodge by spelling or by headers.

Each rule is tried through both doors: the API's token login and the browser's login form.
"""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.tests.factories import PASSWORD
from core.api.throttling import ScopedRateThrottle
from core.clients import client_address

LIMIT = 5  # AXES_FAILURE_LIMIT in the test settings


def api_login(email, password, **headers):
    response = APIClient().post(
        "/api/v1/auth/token/", {"email": email, "password": password}, format="json", **headers
    )
    return response.status_code


def form_login(email, password, **headers):
    response = Client().post(
        "/accounts/login/", {"username": email, "password": password}, **headers
    )
    # The form answers 200 with an error for a wrong password, 302 when logged in.
    return {200: 401, 302: 201}.get(response.status_code, response.status_code)


LOGINS = pytest.mark.parametrize("login", [api_login, form_login], ids=["api", "form"])


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@LOGINS
def test_case_and_spaces_count_against_one_account(world, login):
    spellings = [
        "acme_owner@example.test",
        "ACME_OWNER@example.test",
        " acme_owner@example.test",
        "Acme_Owner@Example.Test ",
        "acme_owner@EXAMPLE.TEST",
    ]
    # Each from its own address, so that only the account's count can lock.
    for index, email in enumerate(spellings[: LIMIT - 1]):
        assert login(email, "nope", REMOTE_ADDR=f"203.0.113.{index}") == 401
    assert login(spellings[-1], "nope", REMOTE_ADDR="203.0.113.50") == 429
    assert login("acme_owner@example.test", PASSWORD, REMOTE_ADDR="203.0.113.51") == 429
    assert not ApiToken.objects.exists()


@LOGINS
def test_one_address_is_locked_out_across_accounts(world, login):
    callers = ["acme_manager", "acme_agent", "acme_viewer", "globex_owner", "shenzhen_admin"]
    for caller in callers[: LIMIT - 1]:
        assert login(f"{caller}@example.test", "nope") == 401
    assert login(f"{callers[-1]}@example.test", "nope") == 429
    # Right password, untouched account, same address: still refused.
    assert login("acme_owner@example.test", PASSWORD) == 429
    # Another address is not locked out.
    assert login("acme_owner@example.test", PASSWORD, REMOTE_ADDR="198.51.100.7") == 201


@LOGINS
def test_x_forwarded_for_is_ignored_without_a_proxy(world, login):
    callers = ["acme_manager", "acme_agent", "acme_viewer", "globex_owner", "shenzhen_admin"]
    for index, caller in enumerate(callers[: LIMIT - 1]):
        forwarded = f"198.51.100.{index}"
        assert login(f"{caller}@example.test", "nope", HTTP_X_FORWARDED_FOR=forwarded) == 401
    forwarded = "198.51.100.98"
    assert login(f"{callers[-1]}@example.test", "nope", HTTP_X_FORWARDED_FOR=forwarded) == 429
    forwarded = "198.51.100.99"
    assert login("acme_owner@example.test", PASSWORD, HTTP_X_FORWARDED_FOR=forwarded) == 429


@override_settings(BEHIND_TLS_PROXY=True)
@LOGINS
def test_behind_the_proxy_only_its_own_hop_counts(world, login):
    callers = ["acme_manager", "acme_agent", "acme_viewer", "globex_owner", "shenzhen_admin"]
    # The client writes any first entries it likes; the proxy appends what it saw.
    for index, caller in enumerate(callers[: LIMIT - 1]):
        forwarded = f"10.9.9.{index}, 192.0.2.{index}, 203.0.113.9"
        assert login(f"{caller}@example.test", "nope", HTTP_X_FORWARDED_FOR=forwarded) == 401
    forwarded = "192.0.2.100, 203.0.113.9"
    assert login(f"{callers[-1]}@example.test", "nope", HTTP_X_FORWARDED_FOR=forwarded) == 429
    forwarded = "192.0.2.200, 203.0.113.9"
    assert login("acme_owner@example.test", PASSWORD, HTTP_X_FORWARDED_FOR=forwarded) == 429
    # Another client behind the same proxy is somebody else.
    forwarded = "203.0.113.9, 203.0.113.10"
    assert login("acme_owner@example.test", PASSWORD, HTTP_X_FORWARDED_FOR=forwarded) == 201


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "1.2.3.4", "127.0.0.1"),
        (True, "1.2.3.4, 5.6.7.8", "5.6.7.8"),
        (True, "5.6.7.8,2001:db8::1", "2001:db8::1"),
        (True, "", "127.0.0.1"),
        (True, "1.2.3.4, not-an-address", "127.0.0.1"),
    ],
)
def test_the_client_address_and_the_throttle_ident(settings, behind_proxy, forwarded, expected):
    settings.BEHIND_TLS_PROXY = behind_proxy
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == expected
    assert ScopedRateThrottle().get_ident(request) == expected


def reset(email, address="127.0.0.1"):
    return Client().post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_reset_e_mails_are_limited_per_account(world, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 2
    spellings = ["acme_owner@example.test", "ACME_owner@example.test ", "acme_owner@Example.test"]
    answers = [reset(email, f"203.0.113.{n}").status_code for n, email in enumerate(spellings)]
    assert answers == [302, 302, 429]
    assert len(mail.outbox) == 2
    # Somebody else's account is unaffected.
    assert reset("acme_agent@example.test").status_code == 302
    assert len(mail.outbox) == 3


def test_reset_e_mails_are_limited_per_address(world, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    callers = ["acme_owner", "acme_agent", "acme_viewer", "globex_owner"]
    answers = [reset(f"{caller}@example.test").status_code for caller in callers]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    assert "Too many password reset requests" in reset("nobody@example.test").content.decode()
    assert reset("globex_owner@example.test", "198.51.100.1").status_code == 302


def test_an_unknown_address_is_counted_like_a_known_one(world, settings):
    # The answer must not tell whether an account uses the e-mail.
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 1
    for email in ("nobody@example.test", "acme_owner@example.test"):
        assert reset(email, "203.0.113.1").status_code == 302
        assert reset(email, "203.0.113.2").status_code == 429


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
)
def test_reset_still_works_while_the_cache_is_down(world):
    assert reset("acme_owner@example.test").status_code == 302
    assert len(mail.outbox) == 1
