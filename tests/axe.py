"""axe-core in the browser tests: WCAG 2.1 A/AA (and 2.2 AA) checks of a page, 0 violations."""

from pathlib import Path

AXE = Path(__file__).parent / "assets" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def violations(page):
    """axe-core's violations on `page` as short lines (rule: target, ...)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs through the debugging protocol: the page's Content-Security-Policy,
        # which rightly forbids inline scripts, does not apply to it.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        """async (tags) => {
          const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
          return result.violations.map((v) => v.id + ": " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
        }""",
        TAGS,
    )
    return found


def assert_accessible(page, where):
    """No axe-core violation on `page`."""
    found = violations(page)
    assert found == [], f"{where}: {found}"
