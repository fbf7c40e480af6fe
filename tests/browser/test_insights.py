"""/app/insights/ and the merchant home at desktop and phone widths: charts drawn from the
vendored Chart.js under the site's CSP, their tables beside them, and axe-core finds nothing.

Screenshots go to var/screenshots/ for people to look at.
"""

import pytest
from playwright.sync_api import expect

from insights.tests import world as insights_world
from insights.tests.world import NOW, PERIOD
from tests.browser.checks import SCREENSHOTS, SIZES, axe_violations
from tests.browser.conftest import log_in
from tests.browser.test_disputes import watch_for_problems

# The hand-computed analytics world, as a fixture of this module too.
analytics_world = insights_world.analytics_world
CHARTS = ["chart-weekly", "chart-reasons", "chart-suppliers", "chart-products"]


def charts_drawn(page) -> list:
    return page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".filter((canvas) => window.Chart && window.Chart.getChart(canvas))"
        ".map((canvas) => canvas.dataset.chart)"
    )


@pytest.mark.parametrize("size", SIZES)
def test_insights_and_home_are_readable_and_axe_clean(page, analytics_world, time_machine, size):
    time_machine.move_to(NOW, tick=True)  # the server thread needs a running clock
    problems = []
    watch_for_problems(page, problems)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log_in(page, "acme_owner@example.test")

    page.goto(f"/app/insights/?from={PERIOD['from']}&to={PERIOD['to']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    weekly = page.get_by_role("region", name="Disputes per week")
    expect(weekly.get_by_role("row")).to_have_count(3)  # header and two weeks
    expect(page.get_by_role("region", name="Suppliers").get_by_role("row")).to_have_count(4)
    page.wait_for_function("() => window.Chart !== undefined")
    assert sorted(charts_drawn(page)) == sorted(CHARTS)
    # Nothing is wider than the screen: the wide tables scroll inside their own box.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=SCREENSHOTS / f"insights-{size}.png", full_page=True)
    assert axe_violations(page) == []

    page.goto("/app/")
    summary = page.get_by_role("region", name="Last 90 days")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="All insights")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    page.screenshot(path=SCREENSHOTS / f"home-{size}.png", full_page=True)
    assert axe_violations(page) == []

    page.goto(f"/app/suppliers/shenzhen-supply/?from={PERIOD['from']}&to={PERIOD['to']}")
    page.wait_for_function("() => window.Chart !== undefined")
    assert charts_drawn(page) == ["chart-trend"]
    page.screenshot(path=SCREENSHOTS / f"supplier-{size}.png", full_page=True)
    assert axe_violations(page) == []
    assert problems == []


def test_period_picker_changes_the_period(page, analytics_world, time_machine):
    time_machine.move_to(NOW, tick=True)
    log_in(page, "acme_viewer@example.test")
    page.goto("/app/insights/")
    page.get_by_label("From", exact=True).fill("2026-03-09")
    page.get_by_label("To", exact=True).fill("2026-03-15")
    page.get_by_role("button", name="Show").click()
    weekly = page.get_by_role("region", name="Disputes per week")
    expect(weekly.get_by_role("row")).to_have_count(2)
    expect(weekly).to_contain_text("2026-03-09")
