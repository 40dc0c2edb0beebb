"""Lists of agency names, where a name may itself contain ", ".

Sharing lists join names with ", " (records-request cells, one-line page lists), and Flock's
one-name-per-line pages split its stored list on ", " too, so "University of California,
Berkeley PD" shows as two lines. ``split_joined`` keeps a joined name whole when it is known
(an agency or alias in the database, a built-in real name, or the row's own organization);
``rejoin_lines`` mends the split one-per-line lists, with the known names and a conservative
rule: a fragment with no state code followed by one out of the list's alphabetical order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.models import Agency, AgencyAlias
from core.names import STATUS_TAG, clean_display, normalize_agency_name

# Real agency names that contain ", " as Flock's lists show them (pages and records requests).
COMMA_NAMES: tuple[str, ...] = (
    "University of California, Berkeley",
    "University of California, Berkeley PD",
    "University of California, Davis PD",
    "University of California, Irvine PD",
    "University of California, Los Angeles PD",
    "University of California, Merced PD",
    "University of California, Riverside PD",
    "University of California, San Diego PD",
    "University of California, San Francisco PD",
    "University of California, Santa Barbara PD",
    "University of California, Santa Cruz PD",
    "Montgomery County Constable, Precinct 1 (TX)",
    "Montgomery County Constable, Precinct 2 (TX)",
    "Montgomery County Constable, Precinct 3 (TX)",
    "Montgomery County Constable, Precinct 4 (TX)",
    "Montgomery County Constable, Precinct 5 (TX)",
    "Public Service Authority, Santee Cooper Law Enforcement Division (SC)",
    "1st Judicial District, District Attorney's Office TX",
)

# Separators of a joined cell; ";" and line breaks never occur inside a name.
HARD_SPLIT = re.compile(r"\s*[;\n\r]+\s*")
COMMA_SPLIT = re.compile(r"\s*,\s*")
# An upper-case state code standing alone or in brackets ("Ashland OR PD", "Precinct 3 (TX)").
STATE_CODE = re.compile(r"(?:^|[\s(\[-])[A-Z]{2}(?:$|[\s)\].,-])")
# "[Federal] ...", "[DEACTIVATED] - ...", "... (inactive)": a tagged entry is a whole entry.
TAGGED = re.compile(r"^\s*\[|" + STATUS_TAG.pattern, re.I)
# A sub-network of one agency: "Polk County FL SO (LR)", "Polk County FL SO - Axon".
NETWORK_SUFFIX = re.compile(
    r"\s*(?:[(\[]\s*(?:LR|LPR|ALPR|Axon|Flock|Flock Safety|Vigilant|Motorola|Genetec)\s*[)\]]"
    r"|\s[-\u2013\u2014]\s*(?:Axon|Flock|Flock Safety|Vigilant|Motorola|Genetec|LR|LPR|ALPR))\s*$",
    re.I,
)
# A joined name is rarely longer than three parts.
MAX_PARTS = 3
# A split-off head is a short name ("University of California"), never a sentence.
MAX_HEAD_WORDS = 6


def network_base(name: str) -> str:
    """The agency a network is named after: ``Polk County FL SO (LR)`` -> ``Polk County FL SO``."""
    previous = None
    while previous != name:
        previous, name = name, NETWORK_SUFFIX.sub("", name).strip()
    return name


class NameResolver:
    """Knows agency names (normalized with ``core.names``) to keep comma names whole."""

    def __init__(self, names: Iterable[str] = (), *, builtin: bool = True):
        self._keys: set[str] = set()
        self._comma_keys: set[str] = set()
        if builtin:
            self.add(COMMA_NAMES)
        self.add(names)

    def add(self, names: Iterable[str]) -> None:
        """Learn more names (e.g. the organizations of a file)."""
        for name in names:
            key = normalize_agency_name(name)
            if not key:
                continue
            self._keys.add(key)
            if "," in name:
                self._comma_keys.add(key)

    @classmethod
    def from_db(cls, extra: Iterable[str] = ()) -> NameResolver:
        """The built-in names, every agency and alias in the database, and ``extra``."""
        resolver = cls(extra)
        for model in (Agency, AgencyAlias):
            for name, key in model.objects.values_list("name", "normalized_name").iterator():
                resolver._keys.add(key)
                if "," in name:
                    resolver._comma_keys.add(key)
        return resolver

    def is_known(self, name: str) -> bool:
        """Whether ``name`` is a known agency name (under any spelling that normalizes alike)."""
        key = normalize_agency_name(name)
        return bool(key) and key in self._keys

    def is_comma_name(self, name: str) -> bool:
        """Whether ``name`` is known as one name that contains a comma."""
        key = normalize_agency_name(name)
        return bool(key) and key in self._comma_keys


def _join_known(parts: list[str], known: NameResolver, context: set[str]) -> list[str]:
    """Greedy, longest first: parts that make a known comma name become that one name."""
    names: list[str] = []
    i = 0
    while i < len(parts):
        for size in range(min(MAX_PARTS, len(parts) - i), 1, -1):
            joined = ", ".join(parts[i : i + size])
            # A network of a comma name ("University of California, Berkeley PD (LR)") too.
            if any(
                known.is_comma_name(form) or normalize_agency_name(form) in context
                for form in {joined, network_base(joined)}
            ):
                names.append(joined)
                i += size
                break
        else:
            names.append(parts[i])
            i += 1
    return names


def split_joined(
    cell: str, *, resolver: NameResolver, context: Iterable[str] = (), ordered: bool = False
) -> list[str]:
    """Split a ", "-joined (also ";" / newline) list; a name containing a comma stays one name
    when the resolver (or `context`, e.g. the row's own organization) knows the joined form.
    ``ordered``: the list is alphabetical (a page's one-line list), so mend unknown splits too."""
    context_keys = {normalize_agency_name(c) for c in context if "," in (c or "")}
    names: list[str] = []
    for chunk in HARD_SPLIT.split(cell or ""):
        parts = [p for p in COMMA_SPLIT.split(chunk.strip()) if p]
        names.extend(_join_known(parts, resolver, context_keys))
    return rejoin_lines(names, resolver=resolver) if ordered else names


def _is_fragment(name: str) -> bool:
    """A head that cannot stand alone: Flock's names carry a state code ("Berkeley CA PD");
    a tagged entry ("[DEACTIVATED] - DNU") or prose ("... days.") is not a head."""
    if STATE_CODE.search(name) or TAGGED.search(name) or name.rstrip().endswith("."):
        return False
    return len(name.split()) <= MAX_HEAD_WORDS


def _sort_key(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", clean_display(name).casefold()).split())


def _split_here(items: list[str], i: int, previous_head: str) -> bool:
    """items[i] keeps the list's alphabetical order, items[i + 2] resumes it after items[i],
    and items[i + 1] falls outside: the two lines are one name that Flock split."""
    head, tail = _sort_key(items[i]), _sort_key(items[i + 1])
    if not previous_head or head < previous_head:
        return False
    after = _sort_key(items[i + 2]) if i + 2 < len(items) else None
    if after is not None and after < head:
        return False
    if tail[:1] == head[:1]:
        return False  # a sort quirk between neighbours ("Deactivated Users", "deactivated")
    return tail < head or (after is not None and tail > after)


def rejoin_lines(items: list[str], *, resolver: NameResolver) -> list[str]:
    """One-name-per-line lists where Flock split a name on ", " over two lines
    ("University of California" / "Berkeley PD"; "Montgomery County Constable" / "Precinct 3 (TX)";
    "Public Service Authority" / "Santee Cooper Law Enforcement Division (SC)";
    "1st Judicial District" / "District Attorney's Office TX") -> rejoined names."""
    names: list[str] = []
    previous_head = ""
    i = 0
    while i < len(items):
        join = False
        if i + 1 < len(items):
            join = resolver.is_comma_name(f"{items[i]}, {items[i + 1]}")
            # A known pair starting at the next line takes precedence over a guessed one here.
            next_known = i + 2 < len(items) and resolver.is_comma_name(
                f"{items[i + 1]}, {items[i + 2]}"
            )
            join = join or (
                not next_known and _is_fragment(items[i]) and _split_here(items, i, previous_head)
            )
        if join:
            names.append(f"{items[i]}, {items[i + 1]}")
        else:
            names.append(items[i])
        previous_head = _sort_key(items[i])
        i += 2 if join else 1
    return names
