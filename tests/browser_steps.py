"""Page loads and clicks of each step of a browser walk: what a person's session costs.

`Steps(context)` watches every page of a browser context: a page load is a navigation of the
page's main frame (a link followed, an address typed, a form posted: one load, its redirect
included; a file downloaded too), counted when its request leaves, so that a load the walk cuts
short by going on at once still counts; a click is a real pointer press (`pointerdown` from
Playwright's mouse, never a click the page makes itself, such as a label that checks its box).
`steps.done("name")` closes a step; `steps.table()` prints them.
"""

from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "test-results"

COUNT_CLICKS = """
document.addEventListener("pointerdown", (event) => {
  if (event.isTrusted) window.portfolioCountClick();
}, true);
"""


class Steps:
    def __init__(self, context):
        self.rows: list[tuple[str, int, int]] = []
        self.loads = self.clicks = 0
        self.pages = []
        context.expose_binding("portfolioCountClick", lambda source: self._click())
        context.add_init_script(COUNT_CLICKS)
        context.on("page", self.watch)
        for page in context.pages:
            self.watch(page)

    def watch(self, page) -> None:
        self.pages.append(page)
        page.on("request", lambda request: self._request(page, request))

    def _request(self, page, request) -> None:
        if (
            request.is_navigation_request()
            and request.frame == page.main_frame
            and request.redirected_from is None
        ):
            self.loads += 1

    def _click(self) -> None:
        self.clicks += 1

    def done(self, name: str) -> None:
        for page in self.pages:
            if not page.is_closed():
                page.wait_for_load_state("load")
        self.rows.append((name, self.loads, self.clicks))
        self.loads = self.clicks = 0

    def table(self) -> str:
        width = max(len(name) for name, _, _ in self.rows)
        lines = [
            f"{'étape':<{width}} | chargements | clics",
            f"{'-' * width}-|-------------|------",
        ]
        lines += [
            f"{name:<{width}} | {loads:>11} | {clicks:>5}" for name, loads, clicks in self.rows
        ]
        loads = sum(row[1] for row in self.rows)
        clicks = sum(row[2] for row in self.rows)
        lines.append(f"{'total':<{width}} | {loads:>11} | {clicks:>5}")
        return "\n".join(lines)

    def report(self, name: str) -> str:
        """The table, printed and written to test-results/steps-NAME.txt."""
        table = self.table()
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"steps-{name}.txt").write_text(table + "\n")
        print(f"\n{name}\n{table}")
        return table
