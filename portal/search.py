"""Site search over cities, agencies (with their aliases and merged names), hearings and
petitions.

A query is read through the agency-name normalizer the importers use (``core.names``), so
"Eugene police", "Eugene PD" and "Eugene Police Department" are the same three words
("eugene pd"), and a state code or name ("Eugene OR", "Oregon") is a hint about the state
rather than a word every result must contain. Each word is matched separately.

Ranking, best first: state agrees with the query's; then the tier — every word equal to the
name's words (exact), every word starting a word of the name (prefix), every word inside the
name (substring), every word close to one of the name's words by trigram similarity (fuzzy);
then the share of the name the words cover, the trigram similarity of the whole query, the
kind (city, agency, hearing, petition) and the name.

The database only narrows the rows to rank. On PostgreSQL that is a ``LIKE`` or a pg_trgm
word-similarity (``%>``) test per word, both answered by the GIN trigram indexes of the
search migrations, with the rows ordered by ``word_similarity`` before the bound. On SQLite
it is ``LIKE`` on the word and on the trigrams and word ends a similar word must share. Both
admit every row the ranking below accepts, and the ranking runs in Python on either backend,
so the two give the same results as long as a kind's candidates stay within
``CANDIDATE_LIMIT``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, Func, Q, QuerySet, Value
from django.db.models.functions import Greatest, Length, Lower

from cameras.selectors import city_list
from core.models import Agency, AgencyAlias
from core.names import NON_WORD, PHRASES, SPACES, parse_agency_name
from core.states import STATES
from hearings.models import Hearing
from petitions.models import Petition

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# Rows fetched per kind before ranking; counts past it are shown as "at least".
CANDIDATE_LIMIT = 300
GROUP_SHOWN = 25  # hits listed per kind on the page
FUZZY_THRESHOLD = 0.3  # pg_trgm's own default for similarity()
CLOSEST_THRESHOLD = 0.2  # looser, for the names offered when nothing matches
CLOSEST_SHOWN = 5
MIN_FUZZY_LENGTH = 3

EXACT, PREFIX, SUBSTRING, FUZZY = 4, 3, 2, 1
KIND_ORDER = {"city": 0, "agency": 1, "hearing": 2, "petition": 3}

# "pd" must find "Police" in a city or title column that only holds the words as written.
EXPANSIONS: dict[str, tuple[str, ...]] = {}
for _source, _folded in PHRASES:
    EXPANSIONS[_folded] = (*EXPANSIONS.get(_folded, ()), _source)

PG_WORD = re.compile(r"[^\W_]+")  # what pg_trgm counts as a word


# --- Query ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word of the query, the spellings to look for, and the state it may stand for."""

    word: str
    forms: tuple[str, ...]
    state: str = ""

    @property
    def partial_forms(self) -> tuple[str, ...]:
        """Spellings that may match part of a word: a folded abbreviation ("so", "co") only
        ever matches whole, or "sheriff" would find "Sorrel"."""
        if self.word in EXPANSIONS:
            return tuple(form for form in self.forms if form != self.word)
        return self.forms


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    terms: tuple[Term, ...]
    # The query's words without those that name its state, for the exact comparison.
    exact: frozenset[str]
    state: str
    fuzzy_threshold: float = FUZZY_THRESHOLD

    @property
    def folded(self) -> str:
        return " ".join(term.word for term in self.terms)


def _words(text: str) -> list[str]:
    """Words as the normalizer writes them: lower case, apostrophes dropped, punctuation out."""
    return SPACES.sub(" ", NON_WORD.sub(" ", text.lower().replace("'", ""))).split()


def _key_words(key: str) -> list[str]:
    return key.split(":", 1)[-1].split()


def _forms(word: str) -> tuple[str, ...]:
    return (word, *(src for src in EXPANSIONS.get(word, ()) if src != word))


def search_parse(query: str) -> ParsedQuery:
    """Read a query the way importers read an agency name: one term per normalized word."""
    text = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    parsed = parse_agency_name(text)
    words = _key_words(parsed.key)[:MAX_TERMS]
    state = parsed.state
    state_words: set[int] = set()
    if state:
        # A state written out ("Oregon", "New York") stays a word of the key: mark it.
        name = STATES[state].lower().split()
        for start in range(len(words) - len(name) + 1):
            if words[start : start + len(name)] == name:
                state_words.update(range(start, start + len(name)))
                break
    elif len(words) > 1 and words[-1].upper() in STATES:
        # "eugene or": the normalizer trusts only upper-case codes; a search box is typed in
        # lower case, so a trailing code is read as a state the result may be in instead.
        state_words.add(len(words) - 1)
        state = words[-1].upper()
    terms = tuple(
        Term(word=word, forms=_forms(word), state=state if index in state_words else "")
        for index, word in enumerate(words)
    )
    exact = frozenset(word for index, word in enumerate(words) if index not in state_words)
    return ParsedQuery(text=text, terms=terms, exact=exact, state=state)


# --- Trigrams, as pg_trgm makes them -------------------------------------------------------


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in PG_WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str, b: str) -> float:
    """pg_trgm's ``similarity()``: shared trigrams over all trigrams of the two texts."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


# --- Documents ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchName:
    """One name a result answers to, in the shapes the ranking compares."""

    exact: frozenset[str]  # normalized words, for the exact comparison and coverage
    words: frozenset[str]  # normalized and as-written words
    text: str  # the same words joined, for substrings
    fuzzy: frozenset[str]  # words that the database columns hold, for similarity
    state_words: frozenset[str] = frozenset()

    @classmethod
    def build(
        cls,
        *,
        written: str,
        key: str | None = None,
        context: str = "",
        state: str = "",
    ) -> SearchName:
        """``written`` as published, ``key`` its stored normalized form (agencies), and
        ``context`` words that may match but are not the name (a hearing's city)."""
        folded = _key_words(key if key is not None else parse_agency_name(written).key)
        extra = _key_words(parse_agency_name(context).key) if context else []
        raw = _words(f"{written} {context}")
        fuzzy = set(PG_WORD.findall(f"{written} {context}".lower()))
        if key is not None:
            fuzzy.update(folded)
        # Short words ("at", "of") share a start with everything: never "close" to a term.
        fuzzy = {word for word in fuzzy if len(word) >= MIN_FUZZY_LENGTH}
        state_words = frozenset(STATES[state].lower().split()) if state in STATES else frozenset()
        return cls(
            exact=frozenset(folded),
            words=frozenset(folded + extra + raw),
            text=" ".join(folded + extra + raw),
            fuzzy=frozenset(fuzzy),
            state_words=state_words,
        )


@dataclass
class SearchHit:
    kind: str
    obj: Any
    label: str
    state: str
    tier: int = 0
    rank: tuple = ()

    @property
    def is_fuzzy(self) -> bool:
        return self.tier == FUZZY


def _term_level(term: Term, name: SearchName, state: str, threshold: float) -> float:
    """3 a word of the name, 2 the start of one (or the state the term names), 1 inside the
    name, a similarity in (0, 1) when only close, 0 when absent."""
    if any(_is_word(form, name) for form in term.forms):
        return 3.0
    best = 0.0
    for form in term.partial_forms:
        if any(word.startswith(form) for word in name.words) or f" {form}" in f" {name.text}":
            best = max(best, 2.0)
        elif len(form) >= MIN_FUZZY_LENGTH and form in name.text:
            best = max(best, 1.0)
    if term.state and term.state == state:
        best = max(best, 2.0)
    if best or len(term.word) < MIN_FUZZY_LENGTH:
        return best
    closest = max((similarity(term.word, word) for word in name.fuzzy), default=0.0)
    return closest if closest >= threshold else 0.0


def _is_word(form: str, name: SearchName) -> bool:
    return form in name.words or (" " in form and f" {form} " in f" {name.text} ")


def _score(query: ParsedQuery, name: SearchName, state: str) -> tuple[int, float]:
    """The tier of one name for the query and the share of the name the query covers."""
    levels = [_term_level(term, name, state, query.fuzzy_threshold) for term in query.terms]
    lowest = min(levels)
    if lowest <= 0:
        return 0, 0.0
    own = name.exact - name.state_words if query.state and query.state == state else name.exact
    # Equal word sets imply every word was found whole; state terms are satisfied already.
    if query.exact and query.exact == own:
        tier = EXACT
    elif lowest >= 2:
        tier = PREFIX
    elif lowest >= 1:
        tier = SUBSTRING
    else:
        tier = FUZZY
    covered = sum(
        1
        for word in name.exact
        if any(
            word in term.forms or any(word.startswith(form) for form in term.partial_forms)
            for term in query.terms
        )
    )
    return tier, covered / max(len(name.exact), 1)


def search_rank(query: ParsedQuery, hit: SearchHit, names: Iterable[SearchName]) -> SearchHit:
    """Fill in a hit's tier and sort key from the best of its names; tier 0 is no match."""
    best: tuple[int, float, float] = (0, 0.0, 0.0)
    for name in names:
        tier, coverage = _score(query, name, hit.state)
        if tier:
            best = max(best, (tier, coverage, similarity(query.folded, " ".join(name.exact))))
    hit.tier = best[0]
    if query.state:
        state_rank = 2 if hit.state == query.state else (1 if not hit.state else 0)
    else:
        state_rank = 1
    hit.rank = (-state_rank, -best[0], -best[1], -best[2], KIND_ORDER[hit.kind], hit.label.lower())
    return hit


# --- Candidate rows -------------------------------------------------------------------------


class _WordSimilar(Func):
    """pg_trgm's ``column %> 'word'``: the word is close to some part of the column. Unlike
    ``word_similarity(...) >= x`` it is answered by a GIN trigram index."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _fuzzy_fragments(word: str) -> set[str]:
    """What a word of three letters or more with trigram similarity >= 0.2 to ``word`` must
    share with it, for the SQLite fallback: one of its inner trigrams, its first two letters
    or its last two (sharing only the padded first letter stays under 0.2)."""
    inner = {word[i : i + 3] for i in range(len(word) - 2)}
    return inner | {word[:2], word[-2:]}


def _column_matches(column: Any, term: Term) -> Q:
    """One term against one lower-case column: the term's spellings inside it, or a word of
    it close to the term."""
    conditions = [Q(**{f"{column}__contains": form}) for form in term.forms]
    if len(term.word) >= MIN_FUZZY_LENGTH:
        if _is_postgres():
            conditions.append(Q(_WordSimilar(column, Value(term.word))))
        else:
            conditions += [
                Q(**{f"{column}__contains": fragment}) for fragment in _fuzzy_fragments(term.word)
            ]
    return reduce(or_, conditions)


def _candidates(
    queryset: QuerySet,
    *,
    query: ParsedQuery,
    columns: dict[str, Any],
    state_field: str,
    extra: Q | None = None,
) -> list[Any]:
    """Rows where every term is found in one of ``columns`` (name: expression), or names
    the row's state; ``extra`` ORs in rows matched another way (an agency's aliases)."""
    queryset = queryset.alias(**columns)
    per_term = []
    for term in query.terms:
        condition = reduce(or_, (_column_matches(column, term) for column in columns))
        if term.state:
            condition |= Q(**{state_field: term.state})
        per_term.append(condition)
    where = reduce(and_, per_term)
    if extra is not None:
        where |= extra
    queryset = queryset.filter(where)
    first = next(iter(columns))
    if _is_postgres():
        from django.contrib.postgres.search import TrigramWordSimilarity

        scores = [TrigramWordSimilarity(query.folded, column) for column in columns]
        queryset = queryset.alias(
            closeness=Greatest(*scores) if len(scores) > 1 else scores[0]
        ).order_by("-closeness", Length(first), "pk")
    else:
        queryset = queryset.order_by(Length(first), "pk")
    return list(queryset[:CANDIDATE_LIMIT])


@dataclass
class SearchGroup:
    kind: str
    hits: list[SearchHit] = field(default_factory=list)
    truncated: bool = False  # more candidates than were ranked

    @property
    def count(self) -> int:
        return len(self.hits)

    @property
    def shown(self) -> list[SearchHit]:
        return self.hits[:GROUP_SHOWN]


def _city_hits(query: ParsedQuery) -> SearchGroup:
    rows = _candidates(
        city_list(),
        query=query,
        columns={"search_name": Lower("name")},
        state_field="state",
    )
    group = SearchGroup("city", truncated=len(rows) >= CANDIDATE_LIMIT)
    for city in rows:
        hit = SearchHit("city", city, f"{city.name}, {city.state}", city.state)
        names = [SearchName.build(written=city.name, state=city.state)]
        group.hits.append(search_rank(query, hit, names))
    return group


def _agency_hits(query: ParsedQuery) -> SearchGroup:
    alias_columns = {"search_key": Lower("normalized_name"), "search_name": Lower("name")}
    alias_ids = [
        alias.agency_id
        for alias in _candidates(
            AgencyAlias.objects.only("pk", "agency_id", "name"),
            query=query,
            columns=alias_columns,
            state_field="agency__state",
        )
    ]
    rows = _candidates(
        Agency.objects.select_related("home_city").prefetch_related("aliases"),
        query=query,
        columns={"search_key": Lower("normalized_name"), "search_name": Lower("name")},
        state_field="state",
        extra=Q(pk__in=alias_ids) if alias_ids else None,
    )
    group = SearchGroup("agency", truncated=len(rows) >= CANDIDATE_LIMIT)
    for agency in rows:
        names = [
            SearchName.build(
                written=spelling.name, key=spelling.normalized_name, state=agency.state
            )
            for spelling in (agency, *agency.aliases.all())
        ]
        hit = SearchHit("agency", agency, agency.name, agency.state)
        group.hits.append(search_rank(query, hit, names))
    return group


def _titled_hits(kind: str, queryset: QuerySet, query: ParsedQuery) -> SearchGroup:
    """Hearings and petitions: the title, with the city's name as context words."""
    rows = _candidates(
        queryset.select_related("city"),
        query=query,
        columns={"search_title": Lower("title"), "search_city": Lower("city__name")},
        state_field="city__state",
    )
    group = SearchGroup(kind, truncated=len(rows) >= CANDIDATE_LIMIT)
    for row in rows:
        hit = SearchHit(kind, row, row.title, row.city.state)
        names = [SearchName.build(written=row.title, context=row.city.name, state=row.city.state)]
        group.hits.append(search_rank(query, hit, names))
    return group


@dataclass
class SiteSearch:
    query: ParsedQuery
    groups: list[SearchGroup]
    # Shorter queries that do find something, offered when this one finds nothing.
    suggestions: list[str] = field(default_factory=list)
    # Names spelled closest to the query, offered when it finds nothing.
    closest: list[SearchHit] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def hits(self) -> list[SearchHit]:
        """Every hit, best first."""
        return sorted((hit for group in self.groups for hit in group.hits), key=_rank_key)

    @property
    def best(self) -> SearchHit | None:
        hits = self.hits
        return hits[0] if hits else None

    def group(self, kind: str) -> SearchGroup:
        return next(group for group in self.groups if group.kind == kind)

    @property
    def searched_words(self) -> list[str]:
        """The words looked for, as normalized ("pd (police)"), state words left out."""
        return [
            f"{term.word} ({_readable(term.word)})" if term.word in EXPANSIONS else term.word
            for term in self.query.terms
            if not term.state
        ]

    @property
    def state_name(self) -> str:
        return STATES.get(self.query.state, "")


def _rank_key(hit: SearchHit) -> tuple:
    return hit.rank


def _run(query: ParsedQuery) -> list[SearchGroup]:
    with transaction.atomic():
        if _is_postgres():
            with connection.cursor() as cursor:
                # ``%>`` compares against this threshold; local to this transaction.
                cursor.execute(
                    "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                    [str(query.fuzzy_threshold)],
                )
        groups = [
            _city_hits(query),
            _agency_hits(query),
            _titled_hits("hearing", Hearing.objects.all(), query),
            _titled_hits("petition", Petition.objects.public(), query),
        ]
    for group in groups:
        group.hits = sorted((hit for hit in group.hits if hit.tier), key=_rank_key)
    # Groups follow their best hit, so the first hit on the page is the best overall.
    groups.sort(key=lambda group: group.hits[0].rank if group.hits else (9,))
    return groups


def _readable(word: str) -> str:
    """A normalized word as a person would type it: "pd" back to "police"."""
    return min(EXPANSIONS.get(word, (word,)), key=len)


def _suggest(query: ParsedQuery) -> list[str]:
    """When nothing matches every word: the query without the words that match nothing."""
    if len(query.terms) < 2:
        return []
    kept = [
        _readable(term.word)
        for term in query.terms
        if any(
            group.hits
            for group in _run(
                ParsedQuery(text=term.word, terms=(term,), exact=frozenset(), state="")
            )
        )
    ]
    if not kept or len(kept) == len(query.terms):
        return []
    return [" ".join(kept)]


def site_search(*, query: str) -> SiteSearch:
    """Cities, agencies (aliases and merged names included), hearings and public petitions
    matching every word of ``query``, ranked and grouped by kind."""
    parsed = search_parse(query)
    if not parsed.terms:
        return SiteSearch(query=parsed, groups=[])
    groups = _run(parsed)
    result = SiteSearch(query=parsed, groups=groups)
    if not result.total:
        result.suggestions = _suggest(parsed)
        loose = replace(parsed, fuzzy_threshold=CLOSEST_THRESHOLD)
        hits = sorted((hit for group in _run(loose) for hit in group.hits), key=_rank_key)
        result.closest = hits[:CLOSEST_SHOWN]
    return result
