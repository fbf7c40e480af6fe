"""Every page a merchant owner, a viewer and a supplier can reach, over the demo data, at
the desktop and the phone size: no sideways scroll, axe-core finds nothing, a screenshot.

The pages are found the way people find them: from the home page, every link followed
(once per URL pattern), desktop first; the phone then visits the same URLs. The URL
configuration says what must have been found: every page pattern of the dashboard, the
portal and the profile, but for the few listed below with their reason.
"""

import io
from collections import deque
from urllib.parse import urlsplit

from django.core.management import call_command
from django.urls import Resolver404, get_resolver, resolve
from django.urls.resolvers import URLPattern, URLResolver

from accounts.actors import Actor
from accounts.models import Membership
from connectors.services.connectors import connector_create
from core.tenancy import organization_scope
from disputes.services import saved_reply_create
from notifications.services import webhook_endpoint_create
from tests.browser.checks import SIZES, axe_violations, readable
from tests.browser.conftest import log_in

DEMO_PASSWORD = "demo-pass-123"
PEOPLE = {
    "owner": ("owner@acme.test", "/app/"),
    "viewer": ("viewer@acme.test", "/app/"),
    "supplier": ("staff@shenzhen-supply.test", "/portal/"),
}
# Not pages: files, fragments and endpoints that only take a form's POST.
NOT_PAGES = {
    "app-orders-export": "a CSV file",
    "app-insights-export": "a CSV or XLSX file",
    "app-dispute-attachment-download": "the uploaded file",
    "portal-dispute-attachment-download": "the uploaded file",
    "app-dispute-attachment": "the uploaded image itself, inline",
    "portal-dispute-attachment": "the uploaded image itself, inline",
    "app-notifications:bell": "the header's count, polled by htmx",
    "portal-notifications:bell": "the header's count, polled by htmx",
    "settings-rule-update": "the rules page's form target (GET shows the rules page)",
    "app-order-import": "one import's progress: the demo data has no import",
    "app-disputes-export": "a CSV file (the list's bulk export)",
    "portal-line-row": "a shipping desk row, swapped back in by htmx (cancel)",
    "portal-line-parcel-edit": "a shipping desk row with its edit form, swapped in by htmx",
    "portal-line-parcel-void": "the edit row's form target (GET is a 404)",
}
# The header's search box is a form, not a link: the crawl submits it with this text.
SEARCH_TEXT = "1"
PREFIXES = ("app/", "portal/", "accounts/profile/")


def _patterns(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace or "")))
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), ":".join(filter(None, (namespace, pattern.name)))


def page_patterns() -> set[str]:
    """Names of the URL patterns under the dashboard, the portal and the profile that
    answer a GET with a page."""
    names = set()
    for route, name in _patterns(get_resolver().url_patterns):
        if not route.startswith(PREFIXES) or name in NOT_PAGES:
            continue
        view = resolve_callback(name)
        view_class = getattr(view, "view_class", None)
        if view_class is not None and (
            not hasattr(view_class, "get") or "get" not in view_class.http_method_names
        ):
            continue  # POST only
        names.add(name)
    return names


def resolve_callback(name: str):
    for pattern in _walk_url_patterns(get_resolver().url_patterns):
        if pattern[1] == name:
            return pattern[0].callback
    raise KeyError(name)


def _walk_url_patterns(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, (namespace, pattern.namespace or "")))
            yield from _walk_url_patterns(pattern.url_patterns, inner)
        else:
            yield pattern, ":".join(filter(None, (namespace, pattern.name)))


def pattern_of(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def crawl(page, start: str) -> dict[str, str]:
    """Pattern name → the first URL of it reached from `start` by following links."""
    found: dict[str, str] = {}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        name = pattern_of(url)
        if name is None or name in found or name in NOT_PAGES:
            continue
        response = page.goto(url)
        if response is None or not response.ok:
            continue
        found[name] = url
        hrefs = page.eval_on_selector_all(
            "a[href]:not([download])", "links => links.map(link => link.getAttribute('href'))"
        )
        for href in hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.lstrip("/").startswith(PREFIXES):
                queue.append(href.split("#")[0])
        searches = page.eval_on_selector_all(
            "form.header-search[method=get]", "forms => forms.map(form => form.action)"
        )
        queue.extend(f"{urlsplit(action).path}?q={SEARCH_TEXT}" for action in searches)
    return found


def settings_the_demo_lacks() -> None:
    """A shop connector, a webhook endpoint and a saved reply for Acme, whose pages the demo
    has none of."""
    owner = Membership.objects.select_related("user", "organization").get(
        user__email=PEOPLE["owner"][0], organization__slug="acme"
    )
    actor = Actor.member(user=owner.user, organization=owner.organization, role=owner.role)
    with organization_scope(owner.organization):
        connector_create(
            actor=actor, platform="shopify", shop="acme-outdoor.myshopify.com", secret="s" * 32
        )
        webhook_endpoint_create(actor=actor, url="http://127.0.0.1:9/redress", events=["*"])
        saved_reply_create(
            actor=actor,
            title="Return label on its way",
            variants={"en": "We have sent you a prepaid return label by e-mail."},
        )


def test_every_page_reads_on_a_phone_and_a_desktop_and_is_axe_clean(browser, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    settings_the_demo_lacks()
    reached: set[str] = set()
    unreadable: list[str] = []
    for person, (email, home) in PEOPLE.items():
        urls: dict[str, str] = {}
        for size, (width, height) in SIZES.items():
            context = browser.new_context(
                base_url=live_server.url,
                locale="en-US",
                viewport={"width": width, "height": height},
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            log_in(page, email, DEMO_PASSWORD)
            if not urls:
                urls = crawl(page, home)
            for name, url in sorted(urls.items()):
                page.goto(url)
                shot = f"every-{person}-{name.replace(':', '-')}-{size}"
                try:
                    readable(page, width, shot)
                except AssertionError:
                    unreadable.append(
                        f"{shot} {url}: {axe_violations(page)} {too_wide(page, width)}"
                    )
            context.close()
        reached |= set(urls)
    assert unreadable == [], "\n".join(unreadable)
    missing = page_patterns() - reached
    assert missing == set(), f"pages no link leads to: {sorted(missing)}"


def too_wide(page, width: int) -> list[str]:
    """The innermost elements reaching past the viewport, to say what to fix."""
    return page.evaluate(
        """(width) => [...document.querySelectorAll("body *")]
            .filter((element) => element.getBoundingClientRect().right > width + 1)
            .filter((element) => element.parentElement.getBoundingClientRect().right <= width + 1)
            .slice(0, 5)
            .map((element) => element.parentElement.outerHTML.slice(0, 100))""",
        width,
    )
