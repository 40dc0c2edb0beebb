"""The reason classifier: pure functions from rules (as data) and a stated reason to a category
and flags. No database, no cache: ``searches.selectors.rules`` compiles the rules stored in the
database and keeps them per process; ``searches.services.reclassification`` writes the results.

The rules, in order:

* The reason is normalized: case folded, every character that is not a letter or a digit
  becomes a space, spaces collapse. So ``ICE+ERO`` reads ``ice ero``, ``I.C.E.`` reads
  ``i c e`` and the scrubber's ``[plate]`` reads ``plate``; ``§`` reads ``sec``, so a statute
  typed as ``§459`` keeps its code word. Patterns of every kind match this normalized text.
* A *words* pattern matches whole words only: letters and digits are word characters, so
  ``ice`` never matches inside ``notice``, ``police`` or ``justice``, nor ``inv`` inside
  ``invoice``. A *regex* pattern is a regular expression over the normalized text; an *exact*
  pattern must equal the whole normalized reason.
* Specific beats vague: the primary category is the matching active concern or offense
  category with the lowest priority; the catch-all buckets (kind *other*: blank, case number
  only, vague) count only when no such category matches, whatever their priority. So
  "suspect stole a credit card" is theft, not vague. The flags are the primary category's
  flags, the flags of every matching concern category (so a reason naming both ICE and a
  protest carries both) and the extra flags of every matching pattern.
* Offense types as written (``", "``-joined) map to offense families through ``OffenseType``.
  When the reason itself says nothing specific (its primary category is of kind *other*:
  vague, case number only, blank or unclassified) and an offense type is mapped, the search
  takes the offense family as its category and keeps the vague/blank/case-number flag, because
  the reason as written was still vague. A reason that names a concern or an offense family
  keeps it whatever the offense type says.
* A reason that matches nothing falls in the fallback category (slug ``other``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable, Mapping, Sequence

from searches.models import CONCERN_FLAGS, FLAG_NAMES, ReasonCategory, ReasonPattern, SearchFlag

logger = logging.getLogger(__name__)

# Plain ints in the hot path: IntFlag arithmetic costs a Python call per operation.
_CONCERNS = int(CONCERN_FLAGS)

FALLBACK_SLUG = "other"
OFFENSE_SEPARATOR = ", "

_NON_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Case-fold, turn everything but letters and digits into spaces, collapse spaces."""
    # "§" would vanish with the other punctuation; officers type it instead of "PC" or "sec".
    text = (text or "").replace("§", " sec ")
    return _NON_WORD.sub(" ", text.casefold()).strip()


def offense_names(offense_text: str) -> list[str]:
    """The distinct offense types of a ``", "``-joined offense text, in order."""
    seen: dict[str, None] = {}
    for part in (offense_text or "").split(OFFENSE_SEPARATOR):
        part = " ".join(part.split())
        if part:
            seen.setdefault(part, None)
    return list(seen)


def offense_key(name: str) -> str:
    """How an offense type is looked up: spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


def words_regex(patterns: Iterable[str]) -> str:
    """One alternation of word patterns, each bounded by non-alphanumerics or the text's ends."""
    words = sorted({normalize(p) for p in patterns} - {""}, key=lambda w: (-len(w), w))
    if not words:
        return ""
    body = "|".join(re.escape(w).replace(r"\ ", " ") for w in words)
    # Normalized text has only letters, digits and single spaces, so \b is exactly the
    # letters-and-digits boundary we want.
    return rf"\b(?:{body})\b"


# --- compiled rules -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CompiledCategory:
    id: int
    slug: str
    name: str
    kind: str
    priority: int
    flags: int
    # Words patterns, normalized: phrase -> the extra flags of the patterns that spell it. A
    # phrase matches when the text holds it as whole words, which on normalized text (single
    # spaces between letters and digits) is a lookup of the text's word n-grams.
    phrases: dict[str, int]
    # (compiled regex, extra flags, pattern text) of the regular-expression patterns
    tests: tuple[tuple[re.Pattern[str], int, str], ...]
    exact: frozenset[str]
    exact_flags: tuple[tuple[str, int], ...]

    def match(self, text: str, words: tuple[bool, int] | None = None) -> tuple[bool, int]:
        """Whether the normalized ``text`` matches, and the extra flags of matched patterns.
        ``words``: the result of the words patterns, when the caller looked them up already
        (``Rules.word_hits``)."""
        if words is None:
            grams = word_grams(text, max((len(p.split(" ")) for p in self.phrases), default=0))
            hit = [self.phrases[g] for g in grams if g in self.phrases]
            words = (bool(hit), _or(hit))
        matched, extra = words
        if text in self.exact:
            matched = True
            for value, flags in self.exact_flags:
                if value == text:
                    extra |= flags
        for regex, flags, _source in self.tests:
            if (flags or not matched) and regex.search(text):
                matched = True
                extra |= flags
        return matched, extra


def _or(values: Iterable[int]) -> int:
    result = 0
    for value in values:
        result |= value
    return result


def word_grams(text: str, longest: int) -> set[str]:
    """Every run of 1 to ``longest`` consecutive words of normalized ``text``."""
    words = text.split(" ") if text else []
    return {
        " ".join(words[i : i + n])
        for n in range(1, min(longest, len(words)) + 1)
        for i in range(len(words) - n + 1)
    }


@dataclasses.dataclass(frozen=True)
class Rules:
    version: int
    categories: tuple[CompiledCategory, ...]  # active ones, by priority
    by_id: dict[int, CompiledCategory]
    offenses: dict[str, int | None]  # offense type (case-folded) -> family id
    fallback_id: int | None
    # phrase -> ((category id, extra flags), ...) over the active categories' words patterns
    phrase_index: dict[str, tuple[tuple[int, int], ...]] = dataclasses.field(default_factory=dict)
    longest_phrase: int = 0  # in words

    def word_hits(self, text: str) -> dict[int, int]:
        """Category id -> extra flags, for every category whose words patterns match."""
        hits: dict[int, int] = {}
        index = self.phrase_index
        for gram in word_grams(text, self.longest_phrase):
            for category_id, flags in index.get(gram, ()):
                hits[category_id] = hits.get(category_id, 0) | flags
        return hits


@dataclasses.dataclass(frozen=True)
class Classification:
    category_id: int | None
    category_slug: str
    flags: int
    offense_family_id: int | None
    matched: tuple[str, ...] = ()  # slugs of every matching category, primary first
    unknown_offenses: tuple[str, ...] = ()  # offense types no OffenseType row knows yet

    @property
    def flag_names(self) -> list[str]:
        return [name for name, bit in FLAG_NAMES.items() if self.flags & bit]


def compile_category(
    category: ReasonCategory, patterns: Sequence[ReasonPattern]
) -> CompiledCategory:
    tests: list[tuple[re.Pattern[str], int, str]] = []
    phrases: dict[str, int] = {}
    exact: set[str] = set()
    exact_flags: list[tuple[str, int]] = []
    for p in patterns:
        if p.kind == p.Kind.WORDS:
            if phrase := normalize(p.pattern):
                phrases[phrase] = phrases.get(phrase, 0) | (p.flags & _CONCERNS)
        elif p.kind == p.Kind.REGEX:
            try:
                tests.append((re.compile(p.pattern), p.flags & _CONCERNS, p.pattern))
            except re.error:
                # The admin form validates patterns; a bad one from elsewhere must not stop
                # every import, so it is skipped and logged.
                logger.warning("Skipping invalid reason pattern %s: %r", p.pk, p.pattern)
        elif p.kind == p.Kind.EXACT:
            value = normalize(p.pattern)
            exact.add(value)
            if p.flags:
                exact_flags.append((value, p.flags & _CONCERNS))
    return CompiledCategory(
        id=category.pk,
        slug=category.slug,
        name=category.name,
        kind=category.kind,
        priority=category.priority,
        flags=category.flags & _CONCERNS,
        phrases=phrases,
        tests=tuple(tests),
        exact=frozenset(exact),
        exact_flags=tuple(exact_flags),
    )


def rules_compile(
    *,
    version: int,
    categories: Sequence[ReasonCategory],
    patterns: Mapping[int, Sequence[ReasonPattern]],
    offenses: Iterable[tuple[str, int | None]],
) -> Rules:
    """Compile categories (by priority), their patterns (by category id, in order) and the
    offense type mappings (name, family id) into the rules ``classify`` applies."""
    compiled = [compile_category(c, patterns.get(c.pk, ())) for c in categories]
    active = tuple(c for c, row in zip(compiled, categories, strict=True) if row.is_active)
    fallback = next((c for c in active if c.slug == FALLBACK_SLUG), None)
    active_ids = {c.id for c in active}
    # A mapping to an inactive family counts as no mapping.
    offense_map = {
        offense_key(name): (family_id if family_id in active_ids else None)
        for name, family_id in offenses
    }
    index: dict[str, list[tuple[int, int]]] = {}
    for c in active:
        for phrase, flags in c.phrases.items():
            index.setdefault(phrase, []).append((c.id, flags))
    return Rules(
        version=version,
        categories=tuple(c for c in active if c.slug != FALLBACK_SLUG),
        by_id={c.id: c for c in compiled},
        offenses=offense_map,
        fallback_id=fallback.id if fallback else None,
        phrase_index={phrase: tuple(entries) for phrase, entries in index.items()},
        longest_phrase=max((len(p.split(" ")) for p in index), default=0),
    )


def classify(text: str, offense_text: str = "", *, rules: Rules) -> Classification:
    """Classify one reason as written (and its offense types) with these rules."""
    normalized = normalize(text)
    primary: CompiledCategory | None = None
    bucket: CompiledCategory | None = None  # the first matching catch-all (kind other)
    category: CompiledCategory | None  # each category in turn, then the one chosen
    matched: list[str] = []
    flags = 0
    word_hits = rules.word_hits(normalized)
    for category in rules.categories:  # by priority, so the first match of a kind wins
        flagged = word_hits.get(category.id)
        hit, extra = category.match(normalized, (False, 0) if flagged is None else (True, flagged))
        if not hit:
            continue
        matched.append(category.slug)
        flags |= extra
        if category.kind == ReasonCategory.Kind.OTHER:
            bucket = bucket or category
        elif primary is None:
            primary = category
        if category.kind == ReasonCategory.Kind.CONCERN:
            flags |= category.flags
    primary = primary or bucket
    if primary is not None:
        flags |= primary.flags
        matched.remove(primary.slug)
        matched.insert(0, primary.slug)

    family: CompiledCategory | None = None
    unknown: list[str] = []
    for name in offense_names(offense_text):
        key = offense_key(name)
        if key not in rules.offenses:
            unknown.append(name)
            continue
        family_id = rules.offenses[key]
        candidate = rules.by_id.get(family_id) if family_id else None
        if candidate is not None and (family is None or candidate.priority < family.priority):
            family = candidate

    category = primary
    if family is not None and (primary is None or primary.kind == ReasonCategory.Kind.OTHER):
        category = family
        flags |= family.flags
    if category is None and rules.fallback_id is not None:
        category = rules.by_id[rules.fallback_id]
        flags |= category.flags
    return Classification(
        category_id=category.id if category else None,
        category_slug=category.slug if category else "",
        flags=int(flags & _CONCERNS),
        offense_family_id=family.id if family else None,
        matched=tuple(matched),
        unknown_offenses=tuple(unknown),
    )


@dataclasses.dataclass(frozen=True)
class StateLaw:
    """What one state's law profile says about searches, as the flags read it."""

    use_mask: int  # concern flags of the uses it forbids
    forbids_out_of_state: bool
    forbids_federal: bool


NO_LAW = StateLaw(0, False, False)


def search_flags(
    *,
    reason_flags: int,
    source_state: str,
    searcher_state: str,
    searcher_federal: bool,
    laws: Mapping[str, StateLaw],
) -> int:
    """The flags of one search: its reason's concerns plus the state-law bits (the Python twin
    of ``searches.services.reclassification.flags_sql``, which computes the same in SQL).

    Out of state: both states known and different. Federal: the searching agency's kind.
    Forbidden use: a concern the reason carries is a use the source's or the searcher's state
    forbids. Forbidden sharing: out of state and the source's state forbids out-of-state
    sharing, or federal and it forbids federal sharing.
    """
    source_law = laws.get(source_state, NO_LAW)
    searcher_law = laws.get(searcher_state, NO_LAW)
    out_of_state = bool(source_state and searcher_state and source_state != searcher_state)
    flags = reason_flags & _CONCERNS
    if reason_flags & (source_law.use_mask | searcher_law.use_mask):
        flags |= int(SearchFlag.FORBIDDEN_USE)
    if (out_of_state and source_law.forbids_out_of_state) or (
        searcher_federal and source_law.forbids_federal
    ):
        flags |= int(SearchFlag.FORBIDDEN_SHARING)
    if out_of_state:
        flags |= int(SearchFlag.OUT_OF_STATE)
    if searcher_federal:
        flags |= int(SearchFlag.FEDERAL)
    return int(flags)
