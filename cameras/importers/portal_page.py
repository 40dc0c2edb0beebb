"""Flock transparency pages, saved as HTML or as their page text: one dated snapshot and the
agency's sharing lists with their direction.

Layouts (see ``../shared/data/transparency-pages/README.md``): the legacy page (``Data
retention (in days)``, one comma-joined line under "Organizations granted access to <Agency>
data"), the June-2026 layout (upper-case dividers, heading + one-sentence description + value,
one name per line under "Sharing Network Data With" or a heading of the agency's own choosing)
and the Aug-Oct 2026 layout (``Total Cameras`` and ``LPR Cameras``, optional widgets).

Direction: "granted access to <Agency> data" lists those who can search the agency's cameras
(agency -> them); "sharing their data with <Agency>" lists those the agency can search
(them -> agency). A figure the page does not show stays unknown. A Cloudflare rate-limit or
bot-challenge page is refused, never read as "shares with nobody".

Job options: ``agency`` (when the page does not name it), ``date`` (else the page's "Last
updated", else a date in the file name, else the job's date), ``url`` (the page's address,
when the page does not give it) and ``partial`` (the lists are not complete: nothing ends).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import IO, Any

from django.utils.translation import gettext as _

from cameras.importers.base import date_from_name, open_text, parse_count, sniff_text
from cameras.importers.namelists import NameResolver, rejoin_lines, split_joined
from cameras.importers.portal_metrics import parse_retention
from cameras.importers.sharing import note_refused_tags, sharing_kind_for
from cameras.services import (
    SharingEdge,
    SharingListComplete,
    SnapshotRecord,
    agency_status_tags_apply,
    sharing_end_superseded,
    sharing_import,
    snapshot_import,
)
from core.import_scope import ImportScope
from core.imports import (
    ImportFileError,
    ImportReport,
    import_job_heartbeat,
    job_date,
    option_date,
)
from core.models import ImportJob

PAGE_MAX_CHARS = 20 * 1024 * 1024
OWNER, RECIPIENT = "owner", "recipient"  # the page's agency shares (owner) or receives


def _fold(text: str) -> str:
    """Lower case, curly quotes straight, whitespace folded: how headings are compared."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return " ".join(text.split()).lower()


# --- refused pages ----------------------------------------------------------------------------

CHALLENGE = re.compile(
    r"\berror\s*10(15|20)\b|you are being rate limited|just a moment\.\.\.|"
    r"attention required!?\s*\|?\s*cloudflare|checking your browser before accessing|"
    r"enable javascript and cookies to continue|cf-browser-verification|cf_chl_opt",
    re.I,
)


def refuse_challenge(text: str) -> None:
    """Raise when the file is a rate-limit or bot-challenge page instead of the portal page."""
    match = CHALLENGE.search(text[: 64 * 1024])
    if match:
        raise ImportFileError(
            _(
                "This is not a transparency page but a Cloudflare rate-limit or bot-challenge "
                "page (“%s”): the site refused the download. Nothing was imported; save the "
                "page again later."
            )
            % " ".join(match.group(0).split())
        )


# --- page text --------------------------------------------------------------------------------

BLOCK_TAGS = {
    "address", "article", "aside", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "section", "table",
    "tbody", "td", "th", "thead", "title", "tr", "ul", "button",
}  # fmt: skip
SKIP_TAGS = {"script", "style", "noscript", "template", "svg"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link"}
URL_META = {"og:url", "twitter:url"}


class _PageText(HTMLParser):
    """A saved page as lines of text, one per block element (source line numbers kept).

    A sharing-table cell (``data-tp-access-cell-text``) is one line holding its full value
    (``data-tp-full-value``), since the visible text of a long name may be cut short.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.h1 = ""
        self.url = ""
        self._buffer: list[str] = []
        self._line = 0
        self._skip = 0
        self._cell: list[str] = []  # the tag of the open table cell, while inside one
        self._cell_depth = 0
        self._in_h1 = False

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        if text:
            self.lines.append((self._line, text))
            if self._in_h1 and not self.h1:
                self.h1 = text
        self._buffer = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self._cell:
            self._cell_depth += tag == self._cell[0] and tag not in VOID_TAGS
            return
        if tag == "link" and (values.get("rel") or "").lower() == "canonical":
            self.url = self.url or (values.get("href") or "")
        if tag == "meta" and (values.get("property") or values.get("name")) in URL_META:
            self.url = self.url or (values.get("content") or "")
        if tag in SKIP_TAGS:
            self._skip += 1
        elif "data-tp-access-cell-text" in values:
            self._flush()
            full = values.get("data-tp-full-value")
            if full is not None and full.strip():
                self.lines.append((self.getpos()[0], " ".join(full.split())))
                self._cell, self._cell_depth = [tag], 1
        elif tag in BLOCK_TAGS:
            self._flush()
            if tag == "h1":
                self._in_h1 = True

    def handle_endtag(self, tag):
        if self._cell:
            if tag == self._cell[0]:
                self._cell_depth -= 1
                if self._cell_depth <= 0:
                    self._cell = []
            return
        if tag in SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in BLOCK_TAGS:
            self._flush()
            if tag == "h1":
                self._in_h1 = False

    def handle_data(self, data):
        if self._skip or self._cell:
            return
        if not data.strip():
            if data and self._buffer:
                self._buffer.append(" ")
            return
        if not self._buffer:
            self._line = self.getpos()[0]
        self._buffer.append(data)

    def close(self):
        super().close()
        self._flush()


def page_lines(text: str, *, is_html: bool) -> tuple[list[tuple[int, str]], str, str]:
    """(numbered non-blank lines, the HTML's h1, the page's own address) of a saved page."""
    if not is_html:
        lines = [(n, " ".join(t.split())) for n, t in enumerate(text.splitlines(), start=1)]
        return [(n, t) for n, t in lines if t], "", ""
    parser = _PageText()
    parser.feed(text)
    parser.close()
    return parser.lines, parser.h1, parser.url


def looks_like_html(head: str) -> bool:
    return head.lstrip()[:1] == "<"


# --- headings ---------------------------------------------------------------------------------

# Stat and policy headings -> snapshot field, as agencies write them (case folded, no ":").
FIELD_HEADINGS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^data retention( \(in days\)| period)?$"), "retention_days"),
    (re.compile(r"^retention( period)?$"), "retention_days"),
    (
        re.compile(
            r"^(total cameras|number of (lpr|alpr) and other cameras|number of (owned )?cameras)$"
        ),
        "total_cameras",
    ),
    (re.compile(r"^(a?lpr cameras|number of a?lpr cameras)$"), "lpr_cameras"),
    (
        re.compile(
            r"^((unique|distinct) )?vehicles( \(no duplicates\))? detected( in the last 30 days)?$"
        ),
        "vehicles_detected_30d",
    ),
    (
        re.compile(r"^(number of hotlist hits|hotlist hits( in the last 30 days)?)$"),
        "hotlist_hits_30d",
    ),
    (re.compile(r"^(number of searches|searches( in the last 30 days)?)$"), "searches_30d"),
    (re.compile(r"^hotlists? alerted on$"), "hotlists"),
    (re.compile(r"^what's detected$"), "whats_detected"),
    (re.compile(r"^what's not detected$"), "whats_not_detected"),
    (re.compile(r"^acceptable use( policy)?$"), "acceptable_use"),
    (re.compile(r"^prohibited uses?( policy)?$"), "prohibited_uses"),
    (re.compile(r"^access policy$"), "access_policy"),
    (re.compile(r"^hotlist policy$"), "hotlist_policy"),
]  # fmt: skip
NUMBER_FIELDS = {
    "retention_days",
    "total_cameras",
    "lpr_cameras",
    "vehicles_detected_30d",
    "hotlist_hits_30d",
    "searches_30d",
}

# Dividers, navigation and widgets: a value or a list ends where one of them starts.
OTHER_HEADINGS = re.compile(
    r"^(overview|policies|usage|additional info|more info|community impact|policy & trust|"
    r"data & usage summary|public search audit|download csv|top offense types|"
    r"camera alert activity|soc 2 type ii|iso 27001|myth vs\. fact|myth|fact|"
    r"adherence to key privacy principles|featured success stories|recent success story|"
    r"success stor(y|ies)|in the .+ news|(provided|powered) by flock safety|visit flock|"
    r"transparency portal)$"
)
# Buttons and counters between list items.
NOISE = re.compile(
    r"^(show (more|less|all)|view (all|more|less)|see (all|more)|load more|\(?\d+\)?|"
    r"\d+ (organi[sz]ations|agencies))$"
)
PROSE_START = re.compile(r"^(organi[sz]ations|agencies|the following|these)\b")
# Where a list section starts: its heading, or (June 2026 on) the sentence under it.
GRANTED = re.compile(
    r"^(organi[sz]ations|agencies) (granted|with) access to "
    r"(?P<agency>.+?)(?:'s)? data(?P<dot>\.?)$",
    re.I,
)
SHARING_TO = re.compile(
    r"^(organi[sz]ations|agencies) sharing (their )?data with (?P<agency>.+?)(?P<dot>\.?)$", re.I
)
LIST_HEADINGS: dict[str, str] = {
    "sharing network data with": OWNER,
    "receiving network data from": RECIPIENT,
    "external organizations with access": OWNER,
    "external organisations with access": OWNER,
    "external agencies who have access": OWNER,
    "external agencies with access": OWNER,
}
# The one-sentence descriptions under the June and Aug 2026 headings.
DESCRIPTION = re.compile(
    r"^(the number of days data is retained|number of (a?lpr|lpr and other) cameras( only)?|"
    r"number of unique plate reads over the last 30 days|"
    r"total hotlist hits over the last 30 days|total user search sessions over the last 30 days|"
    r"national and statewide hotlist sources|"
    r"download to view searches performed over the last 30 days|"
    r"camera alerts by source and topic over the last 30 days|"
    r"offense types used for lpr searches in the last 30 days)\.$"
)
UPDATED = re.compile(r"^last updated:?\s*(?P<date>.+)$", re.I)
DATE_FORMATS = ("%a %b %d %Y", "%A %B %d %Y", "%b %d %Y", "%B %d %Y", "%m/%d/%Y", "%Y-%m-%d")
COUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\s+[a-z][a-z ]*)?$", re.I)
FLOCK_URL = re.compile(r"https?://transparency\.flocksafety\.com/[\w-]+", re.I)


def _heading_field(text: str) -> str:
    folded = _fold(text).rstrip(":")
    for pattern, name in FIELD_HEADINGS:
        if pattern.match(folded):
            return name
    return ""


def _plain(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split()).rstrip(":")


def _list_sentence(text: str) -> tuple[str, str, bool] | None:
    """(side, agency, ends with a period) when a line is "Organizations granted access to X
    data" or "Organizations sharing their data with X"."""
    for pattern, side in ((GRANTED, OWNER), (SHARING_TO, RECIPIENT)):
        if match := pattern.match(_plain(text)):
            return side, match.group("agency").strip(), bool(match.group("dot"))
    return None


def _list_start(lines: list[tuple[int, str]], index: int) -> str:
    """The side of the list that starts at ``lines[index]`` ("" when none does): a known list
    heading, a list sentence, or a heading of the agency's own choosing above its sentence."""
    text = lines[index][1]
    if side := LIST_HEADINGS.get(_fold(text).rstrip(":")):
        return side
    if sentence := _list_sentence(text):
        return sentence[0]
    if index + 1 < len(lines) and not _heading_field(text):
        following = _list_sentence(lines[index + 1][1])
        if following and following[2]:
            return following[0]
    return ""


def is_boundary(lines: list[tuple[int, str]], index: int) -> bool:
    """Whether ``lines[index]`` is a heading of any kind (a value or a list ends there)."""
    text = lines[index][1]
    return bool(
        OTHER_HEADINGS.match(_fold(text).rstrip(":"))
        or _heading_field(text)
        or UPDATED.match(text)
        or _list_start(lines, index)
    )


def parse_page_date(text: str) -> dt.date | None:
    """``Sat Jun 27 2026`` (and a few other ways a page writes its date) -> a date."""
    cleaned = " ".join(text.replace(",", " ").split())
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def parse_page_count(value: str) -> int:
    """``354,182``, ``7,023``, ``2,599 alerts`` -> a whole number; ValueError otherwise."""
    match = COUNT.match(value.strip())
    if not match:
        raise ValueError(_("“%s” is not a whole number") % value.strip()[:40])
    count = parse_count(match.group(1))
    assert count is not None  # COUNT matched digits, never a null token
    return count


# --- status tags ------------------------------------------------------------------------------

FEDERAL_TAG = re.compile(r"^\s*\[\s*federal\s*\]\s*[-\u2013\u2014:]?\s*", re.I)
INACTIVE_TAGS = (
    re.compile(r"^\s*\[\s*(deactivated|inactive)\s*\]\s*[-\u2013\u2014:]?\s*", re.I),
    re.compile(r"\s*[\[(]\s*(inactive|deactivated)\s*[\])]\s*$", re.I),
    re.compile(r"\s+[-\u2013\u2014]?\s*inactive\s*$", re.I),
)
# Entries that name no organization (Flock's placeholders for removed users and networks).
NOT_AGENCIES = {
    "deactivated users",
    "deactivated",
    "inactive",
    "dnu",
    "do not use",
    "demo",
    "test",
    "",
}


@dataclass(frozen=True)
class PageItem:
    """One organization of a sharing list, its status tags read off its name."""

    line: int
    name: str
    federal: bool = False
    inactive: bool = False


def read_tags(line: int, raw: str) -> PageItem:
    """``[Federal] FBI`` -> federal; ``[DEACTIVATED] - X``, ``X [Inactive]``, ``X (inactive)``,
    ``X Inactive`` -> inactive. Other brackets (``[Middlesex County]``) stay in the name."""
    name, federal, inactive = " ".join(raw.split()), False, False
    if match := FEDERAL_TAG.match(name):
        federal, name = True, name[match.end() :]
    while match := next((m for p in INACTIVE_TAGS if (m := p.search(name))), None):
        inactive = True
        name = (name[: match.start()] + " " + name[match.end() :]).strip(" -\u2013\u2014")
    return PageItem(line=line, name=" ".join(name.split()), federal=federal, inactive=inactive)


# --- the page ---------------------------------------------------------------------------------


@dataclass
class PageList:
    """One sharing list: ``owner`` when the page's agency shares with the items, ``recipient``
    when it receives from them."""

    side: str
    line: int
    heading: str
    items: list[PageItem] = field(default_factory=list)
    skipped: list[PageItem] = field(default_factory=list)  # entries that name no organization


@dataclass
class PortalPage:
    agency: str
    updated_on: dt.date | None
    values: dict[str, Any]
    lists: list[PageList]
    url: str = ""
    line: int = 1
    problems: list[tuple[int, str]] = field(default_factory=list)


def _body(lines: list[tuple[int, str]], index: int) -> tuple[list[tuple[int, str]], int]:
    """The lines from ``index`` up to the next heading, descriptions left out; (lines, end)."""
    body: list[tuple[int, str]] = []
    while index < len(lines) and not is_boundary(lines, index):
        if not DESCRIPTION.match(_fold(lines[index][1])):
            body.append(lines[index])
        index += 1
    return body, index


def _read_value(
    name: str, lines: list[tuple[int, str]], start: int, problems: list[tuple[int, str]]
) -> tuple[Any, int]:
    """(value, index after it) of the field whose heading is at ``start``."""
    body, index = _body(lines, start + 1)
    if name not in NUMBER_FIELDS:
        return "\n".join(text for _n, text in body).strip() or None, index
    for _n, text in body:
        try:
            value = parse_retention(text) if name == "retention_days" else parse_page_count(text)
        except ValueError:
            continue
        return value, index
    if body:
        problems.append(
            (
                lines[start][0],
                _("%(field)s: no figure in “%(text)s”")
                % {"field": lines[start][1], "text": " ".join(t for _n, t in body)[:80]},
            )
        )
    return None, index


def _is_prose(text: str) -> bool:
    """A sentence explaining a list ("Organizations that can search our cameras."), not a name."""
    folded = _fold(text)
    return len(folded.split()) >= 6 and (folded.endswith(".") or bool(PROSE_START.match(folded)))


def _read_list(
    lines: list[tuple[int, str]], start: int, side: str, resolver: NameResolver
) -> tuple[PageList, int]:
    """The list whose heading (or sentence) is at ``start``; (list, index after it)."""
    line, heading = lines[start]
    index = start + 1
    # A heading and the sentence under it ("Sharing Network Data With" / "Organizations
    # granted access to X data.") start one list, not two; the sentence says the direction.
    sentence = _list_sentence(lines[index][1]) if index < len(lines) else None
    if sentence and not _list_sentence(heading):
        side, index = sentence[0], index + 1
    raw, index = _body(lines, index)
    raw = [(n, t) for n, t in raw if not NOISE.match(_fold(t)) and not _is_prose(t)]
    names: list[tuple[int, str]] = []
    if any("," in text for _n, text in raw):
        for n, text in raw:  # the legacy layout: one comma-joined line
            names.extend((n, name) for name in split_joined(text, resolver=resolver))
    else:
        # One name per line, where Flock split names containing ", " over two lines.
        position = 0
        for name in rejoin_lines([text for _n, text in raw], resolver=resolver):
            names.append((raw[position][0], name))
            position += 1 if name == raw[position][1] else 2
    page_list = PageList(side=side, line=line, heading=heading)
    for n, name in names:
        item = read_tags(n, name)
        if _fold(item.name) in NOT_AGENCIES:
            page_list.skipped.append(PageItem(line=n, name=" ".join(name.split())))
        else:
            page_list.items.append(item)
    return page_list, index


def _agency_name(lines: list[tuple[int, str]], h1: str) -> str:
    """The page's agency: the line before "Transparency Portal" above the date, else the h1."""
    if h1 and _fold(h1) not in {"transparency portal", ""}:
        return h1
    for index, (_n, text) in enumerate(lines[:40]):
        if UPDATED.match(text):
            for _m, before in reversed(lines[:index]):
                if not OTHER_HEADINGS.match(_fold(before)):
                    return before
            break
    # A page without a date: its first short line that is no heading.
    for index, (_n, text) in enumerate(lines[:8]):
        if is_boundary(lines, index):
            if _list_start(lines, index):
                break
            continue
        if len(text) <= 120 and "://" not in text and not text.endswith("."):
            return re.sub(r"\s*[-|\u2013\u2014]\s*transparency portal$", "", text, flags=re.I)
    return ""


def parse_page(
    text: str, *, is_html: bool, agency: str = "", resolver: NameResolver | None = None
) -> PortalPage:
    """Read a saved page (HTML or its text) into a ``PortalPage``; refuses challenge pages.

    ``resolver`` knows the agency names that contain a comma (default: those in the database).
    """
    refuse_challenge(text)
    lines, h1, url = page_lines(text, is_html=is_html)
    resolver = resolver or NameResolver.from_db()
    values: dict[str, Any] = {}
    lists: list[PageList] = []
    problems: list[tuple[int, str]] = []
    updated_on = None
    named_in_list = ""
    index = 0
    while index < len(lines):
        number, line = lines[index]
        if updated_on is None and (match := UPDATED.match(line)):
            updated_on = parse_page_date(match.group("date"))
            if updated_on is None:
                problems.append((number, _("“%s” is not a date") % match.group("date")[:40]))
        if side := _list_start(lines, index):
            sentences = [_list_sentence(t) for _n, t in lines[index : index + 2]]
            named_in_list = named_in_list or next((s[1] for s in sentences if s), "")
            page_list, index = _read_list(lines, index, side, resolver)
            lists.append(page_list)
            continue
        name = _heading_field(line)
        if name and name not in values:
            value, index = _read_value(name, lines, index, problems)
            if value is not None:
                values[name] = value
            continue
        index += 1
    agency = agency.strip() or _agency_name(lines, h1) or named_in_list
    if not agency:
        raise ImportFileError(
            _("The page does not say whose it is; give the agency's name with the import.")
        )
    if not values and not lists:
        raise ImportFileError(
            _(
                "This does not look like a transparency page: no figures, policies or sharing "
                "lists were found (expected headings such as “Data Retention”, “Total Cameras”, "
                "“Sharing Network Data With”)."
            )
        )
    if not url and (match := FLOCK_URL.search(text)):
        url = match.group(0)
    return PortalPage(
        agency=" ".join(agency.split()),
        updated_on=updated_on,
        values=values,
        lists=lists,
        url=url if url.startswith(("http://", "https://")) else "",
        line=lines[0][0] if lines else 1,
        problems=problems,
    )


def looks_like_page(head: str) -> bool:
    """Whether the first kilobytes are a transparency page (or a challenge page in its place)."""
    if CHALLENGE.search(head) or re.search(r"<(!doctype html|html|body)\b", head[:4096], re.I):
        return True
    plain = re.sub(r"<[^>]+>", "\n", head) if looks_like_html(head) else head
    lines = [(n, " ".join(t.split())) for n, t in enumerate(plain.splitlines()) if t.strip()]
    return any(
        _fold(text) == "transparency portal" or UPDATED.match(text) or _list_start(lines, i)
        for i, (_n, text) in enumerate(lines[:400])
    )


# --- import -----------------------------------------------------------------------------------


def _items(page: PortalPage, *, partial: bool) -> Iterator[SharingEdge | SharingListComplete]:
    for page_list in page.lists:
        if not partial:
            yield SharingListComplete(line=page_list.line, agency=page.agency, side=page_list.side)
        for item in page_list.items:
            kind = sharing_kind_for(item.name)
            if page_list.side == OWNER:
                yield SharingEdge(line=item.line, owner=page.agency, recipient=item.name, kind=kind)
            else:
                yield SharingEdge(line=item.line, owner=item.name, recipient=page.agency, kind=kind)


def read_stream(stream: IO[bytes]) -> tuple[str, bool]:
    """(text, is HTML) of an uploaded page."""
    is_html = looks_like_html(sniff_text(stream))
    text = open_text(stream).read(PAGE_MAX_CHARS + 1)
    if len(text) > PAGE_MAX_CHARS:
        raise ImportFileError(_("This page is too large to be a transparency page."))
    return text, is_html


def run(*, job: ImportJob, stream: IO[bytes], report: ImportReport, scope: ImportScope) -> None:
    """Import one saved transparency page into ``job``'s report (options: module docstring);
    what ``scope`` refuses (another city's snapshot or sharing) is rejected on its line."""
    options = job.options or {}
    text, is_html = read_stream(stream)
    page = parse_page(text, is_html=is_html, agency=options.get("agency") or "")
    captured_on = (
        option_date(options)
        or page.updated_on
        or date_from_name(job.original_name)
        or job_date(job)
    )
    partial = bool(options.get("partial"))
    values = dict(page.values)
    url = (options.get("url") or "").strip() or page.url
    if url:
        values["portal_url"] = url
    outgoing = [lst for lst in page.lists if lst.side == OWNER]
    if outgoing:
        values["external_organizations_count"] = len(
            {item.name for lst in outgoing for item in lst.items}
        )
    for line, message in page.problems:
        report.note(line=line, message=message)
    report.add(
        snapshot_import(
            records=[
                SnapshotRecord(
                    line=page.line, agency=page.agency, captured_on=captured_on, values=values
                )
            ],
            source=job.original_name,
            scope=scope,
        )
    )
    import_job_heartbeat(job=job)
    if not page.lists:
        return
    report.add(
        sharing_import(
            items=_items(page, partial=partial),
            seen_on=captured_on,
            source=job.original_name,
            on_batch=lambda: import_job_heartbeat(job=job),
            scope=scope,
        )
    )
    if not partial:
        # An older page imported after a newer one: what only it lists had ended by then.
        for side in {lst.side for lst in page.lists}:
            report.removed += sharing_end_superseded(
                agency=page.agency, side=side, seen_on=captured_on, scope=scope
            )
    items = [item for lst in page.lists for item in lst.items]
    tags = agency_status_tags_apply(
        federal=[i.name for i in items if i.federal],
        inactive=[i.name for i in items if i.inactive],
        actor=job.created_by,
        scope=scope,
    )
    lines: dict[str, int] = {}
    for item in items:
        lines.setdefault(item.name, item.line)
    note_refused_tags(tags=tags, lines=lines, report=report)
    for page_list in page.lists:
        for item in page_list.skipped:
            report.read += 1
            report.reject(
                line=item.line,
                message=_("skipped: “%s” names no organization") % item.name,
                excerpt=item.name,
            )
