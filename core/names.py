"""Agency name normalization: one key for the many spellings of the same agency.

Real lists spell one agency many ways: ``OR - Ashland PD``, ``Ashland OR PD``,
``Ashland PD OR``, ``Ashland Police Department``, trailing spaces, and status tags such as
``[Inactive]``. ``parse_agency_name`` strips tags, finds the state code wherever it stands,
folds common words to one abbreviation, and returns a key of the state and the remaining words
in their original order. It never guesses a state from a lower-case word ("or", "in", "me").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.states import NAME_TO_CODE, STATES

STATUS_TAG = re.compile(r"[\[(]\s*(inactive|deactivated|disabled|test|demo|old)\s*[\])]", re.I)
PREFIX_STATE = re.compile(r"^\s*([A-Z]{2})\s*[-\u2013\u2014:]\s+")
SUFFIX_STATE = re.compile(r"\s+[-\u2013\u2014]\s*([A-Z]{2})\s*$")
NON_WORD = re.compile(r"[^\w\s]+")
SPACES = re.compile(r"\s+")

# Longest phrases first; applied on lower-case text at word boundaries.
PHRASES: list[tuple[str, str]] = [
    ("police department", "pd"),
    ("police dept", "pd"),
    ("police", "pd"),
    ("department of public safety", "dps"),
    ("public safety department", "dps"),
    ("sheriff s office", "so"),
    ("sheriffs office", "so"),
    ("sheriff office", "so"),
    ("sheriff s department", "so"),
    ("sheriffs department", "so"),
    ("sheriff department", "so"),
    ("sheriff s dept", "so"),
    ("sheriff", "so"),
    ("township", "twp"),
    ("county", "co"),
    ("saint", "st"),
    ("mount", "mt"),
    ("fort", "ft"),
    ("university", "univ"),
]
PHRASE_RES = [(re.compile(rf"\b{re.escape(src)}\b"), dst) for src, dst in PHRASES]

FEDERAL_WORDS = re.compile(
    r"\b(fbi|dea|atf|hsi|ice|cbp|usms|u\.?s\.? marshals?|border patrol|homeland security|"
    r"federal|secret service|customs|immigration|department of justice|doj|u\.?s\.? attorney|"
    r"postal inspection|naval|air force|army|nasa|u\.?s\.? (park|forest)|bureau of)\b",
    re.I,
)
STATE_WORDS = re.compile(
    r"\b(state police|state patrol|highway patrol|state troopers?|department of public safety|"
    r"dps|state bureau|bureau of investigation|attorney general|state fire marshal|"
    r"department of (corrections|revenue|transportation|motor vehicles)|dmv|alea|"
    r"law enforcement agency)\b",
    re.I,
)
KIND_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("federal", FEDERAL_WORDS),
    ("sheriff", re.compile(r"\b(sheriff'?s?|so|county constable)\b", re.I)),
    ("university", re.compile(r"\b(university|univ|college|school|isd|campus)\b", re.I)),
    ("state", STATE_WORDS),
    ("police", re.compile(r"\b(pd|police|public safety|marshal'?s? office|constable)\b", re.I)),
    (
        "hoa",
        re.compile(
            r"\b(hoa|homeowners?'? association|property owners|community association|poa)\b", re.I
        ),
    ),
    ("housing", re.compile(r"\b(apartments?|housing|residences|condominiums?|condos?)\b", re.I)),
    (
        "business",
        re.compile(
            r"\b(inc|llc|corp|corporation|company|lowe'?s|home depot|walmart|mall|"
            r"shopping|retail|hotel|casino|plaza|center)\b",
            re.I,
        ),
    ),
]


@dataclass(frozen=True)
class ParsedName:
    display: str
    key: str
    state: str
    inactive: bool


def clean_display(name: str) -> str:
    """The name as a person would write it: tags removed, whitespace folded."""
    text = unicodedata.normalize("NFKC", name or "")
    text = STATUS_TAG.sub(" ", text)
    return SPACES.sub(" ", text).strip(" -\u2013\u2014")


def _find_state(text: str) -> tuple[str, str]:
    """Return (state code, text without it). Only upper-case codes or full state names count."""
    for pattern in (PREFIX_STATE, SUFFIX_STATE):
        match = pattern.search(text)
        if match and match.group(1) in STATES:
            return match.group(1), (text[: match.start()] + " " + text[match.end() :]).strip()
    tokens = text.split(" ")
    # The last upper-case state code wins: "Adams County CO SO" names Colorado.
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index].strip(",.;()")
        if len(token) == 2 and token.isupper() and token in STATES:
            return token, " ".join(tokens[:index] + tokens[index + 1 :])
    lowered = text.lower()
    for state_name in sorted(NAME_TO_CODE, key=len, reverse=True):
        # "Alabama Law Enforcement Agency" names its state in words.
        if re.search(rf"\b{re.escape(state_name)}\b(?! city)", lowered):
            return NAME_TO_CODE[state_name], text
    return "", text


def parse_agency_name(name: str) -> ParsedName:
    inactive = bool(STATUS_TAG.search(name or ""))
    display = clean_display(name)
    state, rest = _find_state(display)
    words = NON_WORD.sub(" ", rest.lower().replace("'", ""))
    words = SPACES.sub(" ", words).strip()
    for pattern, replacement in PHRASE_RES:
        words = pattern.sub(replacement, words)
    words = SPACES.sub(" ", words).strip()
    key = f"{state.lower()}:{words}" if state else words
    return ParsedName(display=display, key=key[:255], state=state, inactive=inactive)


def normalize_agency_name(name: str) -> str:
    return parse_agency_name(name).key


def guess_agency_kind(name: str) -> str:
    """A best guess of an agency's kind from its name; clerks correct it in the admin."""
    for kind, pattern in KIND_PATTERNS:
        if pattern.search(name or ""):
            return kind
    return "other"
