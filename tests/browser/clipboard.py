"""What a page's copy buttons wrote to the clipboard, read without the clipboard itself.

``navigator.clipboard.readText()`` waits for the page to have focus and Playwright's
``evaluate`` has no timeout, so a read from an unfocused page can wait for ever (a full run once
hung there). The init script records each ``writeText`` call's text on ``window.__copied`` and
still writes it, so the page sees a real clipboard.
"""

RECORD_COPIES = """(() => {
  const clipboard = navigator.clipboard;
  if (!clipboard) return;
  const write = clipboard.writeText.bind(clipboard);
  clipboard.writeText = (text) => { window.__copied = text; return write(text); };
})();"""


def recording_copies(context) -> None:
    """Record the copy buttons' text on every page of this browser context."""
    context.add_init_script(RECORD_COPIES)


def copied_text(page) -> str | None:
    return page.evaluate("window.__copied ?? null")
