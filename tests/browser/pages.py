"""Pages under watch, and the viewport a browser test runs at."""

from __future__ import annotations

from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, ConsoleMessage, Page

# Records, before the page loads, every CSP violation the document sees.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@dataclass
class WatchedPage:
    """A page with its console errors, uncaught exceptions and CSP violations recorded."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            url = (message.location or {}).get("url", "")
            self.console_errors.append(f"{message.text} ({url})" if url else message.text)

    def csp_violations(self) -> list[str]:
        recorded: list[str] = self.page.evaluate("window.__cspViolations || []")
        from_console = [m for m in self.console_errors if "Content Security Policy" in m]
        return recorded + from_console

    def problems(self) -> list[str]:
        """Everything that went wrong in the page; an empty list means a clean page."""
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"uncaught: {m}" for m in self.page_errors]
            + [f"CSP violation: {m}" for m in self.page.evaluate("window.__cspViolations || []")]
        )


def watch(page: Page) -> WatchedPage:
    return WatchedPage(page)


@dataclass
class Device:
    """One of the viewports a test runs at: `.name` is 'phone' or 'desktop'."""

    name: str
    context: BrowserContext

    def new_page(self) -> WatchedPage:
        page = self.context.new_page()
        return WatchedPage(page)
