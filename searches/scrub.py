"""Scrubbing free-text search reasons: plates, phone numbers, emails, dates of birth, names.

Pure functions, no database: a :class:`Scrubber` is compiled from (kind, regex, marker) rules
(the admin's ``ScrubPattern`` rows, or :data:`DEFAULT_PATTERNS`) and replaces every match by
its marker, e.g. ``stolen plate 8XYZ123`` -> ``stolen plate [plate]``. A rule whose regex has a
group named ``hit`` replaces only that group, so a context word ("plate", "Alert:") stays and
still tells the classifier what the search was about.

Plates are told from case and statute numbers by shape: a bare token must mix letters and digits
as US plates do (3 digits + 3 letters, 2-4 letters + 3-4 digits, digit(s) + 2-3 letters + 3-4
digits), never start with a statute, highway, bill or case prefix (``PC459``, ``HWY101``,
``AB1234``, ``CR2025-0012``) and never run on into ``-<digits>``. Any token with a digit after the
word "plate", "tag", "lp" or "lic", or after an upper-case state code, is a plate too.

People's names are found with the 1990 U.S. Census lists of frequent first names and surnames
(public domain; ``searches/data/``): a first name followed by a surname ("warrant John Smith",
optionally with a middle initial) or "Smith, John". They are not removed but masked for the
public (``[name]``) until a clerk releases or redacts them.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

PLATE, PHONE, EMAIL, DOB, OTHER = "plate", "phone", "email", "dob", "other"
MARKERS = {PLATE: "[plate]", PHONE: "[phone]", EMAIL: "[email]", DOB: "[dob]", OTHER: "[redacted]"}
NAME_MARKER = "[name]"
REDACTED_MARKER = "[redacted]"
# Every marker: the classifier reads them as carrying no information.
ALL_MARKERS = (*MARKERS.values(), NAME_MARKER)
HIT_GROUP = "hit"

# Prefixes that make a letters+digits token a statute, road, bill, case or unit number.
_NOT_PLATE_PREFIX = (
    "PC|VC|HS|HSC|BP|WI|WIC|CVC|PEN|ORS|RCW|MCL|ARS|NRS|PL|VTL|TC|GC|FC|MC|CC|CCP|ILCS|OCGA|KRS|"
    "RSA|GS|SEC|ART|CH|AB|SB|HB|FY|CR|CRIM|RPT|INC|CAD|CFS|DR|PR|HWY|RTE|RT|SR|US|CAM|UNIT|BEAT|"
    "ZONE|DIST|EXIT|APT|STE|RM|ROOM|EXT|NO|NUM|ID|TEST|COVID|JAN|FEB|MAR|APR|JUN|JUL|AUG|SEP|SEPT|"
    "OCT|NOV|DEC"
)
_NOT_PLATE_SUFFIX = "MPH|KPH|BLK|LBS|HRS|MIN|SEC|PCS|AMP"
_LEFT = r"(?<![\w#-])"  # not inside a word, a "#123" or a "25-..." number
_RIGHT = r"(?![\w-])"  # nor running on into more of one ("CR2025-0012")
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|"
    "NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
# A token that holds a digit: 2-8 letters/digits, or two short parts ("ABC 1234", "ABC-1234").
_WITH_DIGIT = (
    r"(?:(?=[A-Z]*\d)[A-Z0-9]{2,8}\b|[A-Z]{1,4}[- ]\d{2,4}\b|\d{2,4}[- ][A-Z]{1,4}\b)(?![-/]\d)"
)


@dataclasses.dataclass(frozen=True)
class PatternSpec:
    """One scrub rule as the admin keeps it."""

    kind: str
    pattern: str
    note: str
    marker: str = ""

    @property
    def replacement(self) -> str:
        return self.marker or MARKERS.get(self.kind, REDACTED_MARKER)


# In the order they run: emails and phones before plates (an address or a number can look like
# a plate), context rules before bare shapes.
DEFAULT_PATTERNS: tuple[PatternSpec, ...] = (
    PatternSpec(
        EMAIL, r"\b[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}\b", "Email address"
    ),
    PatternSpec(
        DOB,
        r"\b(?:DOB|D\.O\.B\.?|date\s+of\s+birth|birth\s*date|born)\s*[:#-]?\s*"
        r"(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|\d{8}|\d{6})(?![\d/.-])",
        "Date of birth (d/m/y, y-m-d or 6-8 digits) after DOB, D.O.B., date of birth or born",
    ),
    PatternSpec(
        PHONE,
        r"(?<![\w-])(?:\+?1[-. ]?)?(?:\(\d{3}\)\s?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-])",
        "Ten-digit phone number with separators (dashes, dots, spaces or an area code in brackets)",
    ),
    PatternSpec(
        PHONE,
        r"\b(?:ph(?:one)?|cell|tel|mobile|call\s*back|contact)\s*(?:#|no\.?)?\s*[:.]?\s*"
        r"(?:\d{3}[-. ]?\d{4}|\d{10})(?![\w-])",
        "Phone number after phone, ph, cell, tel, mobile, call back or contact",
    ),
    PatternSpec(
        PLATE,
        r"\bAlert: [^\n]*? (?P<hit>[A-Z0-9]{2,8}) - \d{4}-\d{2}-\d{2}T\d{2}:",
        "The plate in Flock's alert text: 'Alert: <hotlist> <plate> - <ISO time>'",
    ),
    PatternSpec(
        PLATE,
        r"\b(?:license\s+plate|lic(?:ense)?|plates?|tags?|lpn?|veh\s+reg|reg(?:istration)?)\b"
        rf"\s*(?:#|no\.?|num(?:ber)?)?\s*[:#]?\s*(?P<hit>(?!(?:{_NOT_PLATE_PREFIX})\d)"
        rf"{_WITH_DIGIT})",
        "Any token with a digit after plate, tag, lp, lpn, lic, license or reg",
    ),
    PatternSpec(
        PLATE,
        rf"(?-i:\b(?:{_STATES}))[- ](?!(?:{_NOT_PLATE_PREFIX})\d)(?=[0-9]*[A-Z])(?=[A-Z]*\d)"
        rf"[A-Z0-9]{{5,8}}{_RIGHT}",
        "Letters mixed with digits (5-8) after an upper-case state code and a space or dash",
    ),
    PatternSpec(
        PLATE,
        rf"{_LEFT}(?:\d{{3}}(?!(?:{_NOT_PLATE_SUFFIX}){_RIGHT})[A-Z]{{3}}"
        rf"|\d{{1,2}}[A-Z]{{2,3}}\d{{3,4}}"
        rf"|(?!(?:{_NOT_PLATE_PREFIX})-?\d)[A-Z]{{2,4}}-?\d{{3,4}}){_RIGHT}",
        "Bare plate shapes: 3 digits + 3 letters, 1-2 digits + 2-3 letters + 3-4 digits, "
        "2-4 letters + 3-4 digits; not after a statute, road, bill or case prefix",
    ),
)


@dataclasses.dataclass(frozen=True)
class Scrubbed:
    text: str
    found: Counter  # kind -> how many tokens were replaced

    @property
    def changed(self) -> bool:
        return bool(self.found)


@dataclasses.dataclass(frozen=True)
class Scrubber:
    """Compiled rules; ``version`` tells a cached scrubber from a newer one."""

    rules: tuple[tuple[str, re.Pattern[str], str], ...]
    version: object = None

    def scrub(self, text: str) -> Scrubbed:
        """``text`` with every rule's matches replaced by its marker, and what was found."""
        found: Counter = Counter()
        if not text:
            return Scrubbed(text, found)
        for kind, regex, marker in self.rules:
            if HIT_GROUP in regex.groupindex:

                def replace(match: re.Match, marker=marker) -> str:
                    start, end = match.span(HIT_GROUP)
                    whole = match.group(0)
                    offset = match.start()
                    return whole[: start - offset] + marker + whole[end - offset :]

                text, n = regex.subn(replace, text)
            else:
                text, n = regex.subn(marker, text)
            if n:
                found[kind] += n
        return Scrubbed(text, found)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile one scrub regex the way scrubbing uses it (case-insensitive)."""
    return re.compile(pattern, re.IGNORECASE)


def scrubber_build(specs: Iterable[PatternSpec], *, version: object = None) -> Scrubber:
    """A scrubber of these rules in order; a regex that does not compile is skipped."""
    rules = []
    for spec in specs:
        try:
            rules.append((spec.kind, compile_pattern(spec.pattern), spec.replacement))
        except re.error:
            continue
    return Scrubber(rules=tuple(rules), version=version)


@cache
def default_scrubber() -> Scrubber:
    return scrubber_build(DEFAULT_PATTERNS, version="default")


# --- names ----------------------------------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parent / "data"
# Census first names that are everyday words in police text ("will", "may", "chase"); a name
# written with one of them is still found through "Surname, First" only.
_FIRST_NAME_STOPWORDS = frozenset(
    {
        "will",
        "may",
        "june",
        "april",
        "august",
        "mark",
        "chase",
        "hunter",
        "guy",
        "joy",
        "hope",
        "dawn",
        "christian",
        "lance",
        "rose",
        "grace",
        "faith",
        "chance",
        "sunny",
        "jack",
        "major",
        "king",
        "rich",
        "art",
        "bill",
        "pat",
        "sterling",
        "case",
        "van",
        "son",
        "page",
    }
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]\.?")


def _read_names(filename: str) -> frozenset[str]:
    lines = (DATA_DIR / filename).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def first_names() -> frozenset[str]:
    return _read_names("census1990_first_names.txt") - _FIRST_NAME_STOPWORDS


@cache
def surnames() -> frozenset[str]:
    return _read_names("census1990_surnames.txt")


def find_names(text: str) -> list[tuple[int, int]]:
    """Spans of people's names in ``text``: "First [M.] Last" or "Last, First"."""
    if not text:
        return []
    words = [(m.group(0).lower().rstrip("."), m.start(), m.end()) for m in _WORD.finditer(text)]
    firsts, lasts = first_names(), surnames()
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words) - 1:
        word, start, _end = words[i]
        j = i + 1
        if len(words[j][0]) == 1 and j + 1 < len(words):  # a middle initial
            j += 1
        following, _s, end = words[j]
        between = text[words[i][2] : words[i + 1][1]]
        if word in firsts and following in lasts and len(following) > 1 and "," not in between:
            spans.append((start, end))
            i = j + 1
            continue
        if word in lasts and words[i + 1][0] in firsts and between.strip() == "," and len(word) > 1:
            spans.append((start, words[i + 1][2]))
            i += 2
            continue
        i += 1
    return spans


def mask_names(text: str, *, marker: str = NAME_MARKER) -> str:
    """``text`` with every name found replaced by ``marker``; "" when it names no one."""
    spans = find_names(text)
    if not spans:
        return ""
    parts, last = [], 0
    for start, end in spans:
        parts.extend([text[last:start], marker])
        last = end
    parts.append(text[last:])
    return "".join(parts)


def redact_fragment(text: str, fragment: str, *, marker: str = REDACTED_MARKER) -> str:
    """``text`` with every occurrence of ``fragment`` (any case, any spacing) replaced."""
    words = fragment.split()
    if not words:
        return text
    regex = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    return regex.sub(marker, text)
