"""What every browser test checks on a page it looks at: no sideways scroll at its width,
axe-core finds nothing, and a screenshot in var/screenshots/ for people to look at."""

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def axe_violations(page) -> list:
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) still holds
    # for everything the page itself loads.
    page.evaluate(AXE)
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
    ]


def readable(page, width: int, name: str) -> None:
    """No sideways scroll, axe-clean, and a full-page screenshot named `name`."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name
    violations = axe_violations(page)
    assert violations == [], (name, violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
