"""Properties of the agency-name normalizer (core/names.py) over generated spellings."""

from hypothesis import given
from hypothesis import strategies as st

from core.names import clean_display, normalize_agency_name, parse_agency_name
from core.states import STATES

# Place words that are no state name, state code or folded phrase in any case.
PLACE_WORDS = [
    "Prairie", "Junction", "Harbor", "Vista", "Ashland", "Bramble", "Kestrel", "Willow",
    "Creek", "Cedar", "Maple", "Falls", "Ridge", "Hollow", "Springs", "Lake", "Oak", "Pine",
    "Granite", "Elm", "Brook", "Heights", "Valley",
]  # fmt: skip
# Spellings the module folds to one abbreviation, grouped by that abbreviation.
SUFFIXES = {
    "pd": ["PD", "Police Department", "Police Dept", "Police", "police department"],
    "so": ["SO", "Sheriff's Office", "Sheriffs Office", "Sheriff Office", "Sheriff",
           "Sheriff's Department", "Sheriff Department"],
    "dps": ["DPS", "Department of Public Safety", "Public Safety Department"],
}  # fmt: skip
CODES = sorted(STATES)

places = st.lists(st.sampled_from(PLACE_WORDS), min_size=1, max_size=4)
suffix_kind = st.sampled_from(sorted(SUFFIXES))
states = st.sampled_from(CODES)


def _name(words: list[str], suffix: str, state: str) -> str:
    return " ".join([*words, suffix, state])


@given(st.text())
def test_any_text_gives_a_tidy_key_without_raising(text):
    parsed = parse_agency_name(text)
    assert len(parsed.key) <= 255
    assert parsed.key == parsed.key.strip() and "  " not in parsed.key
    assert parsed.display == parsed.display.strip(" -\u2013\u2014")
    assert parsed.state == "" or parsed.state in STATES


@given(st.text())
def test_normalizing_the_display_name_again_gives_the_same_key(text):
    parsed = parse_agency_name(text)
    assert parse_agency_name(parsed.display).key == parsed.key
    assert clean_display(parsed.display) == parsed.display


@given(places, suffix_kind, states, st.data())
def test_suffix_spellings_fold_to_one_key(words, kind, state, data):
    spelling = data.draw(st.sampled_from(SUFFIXES[kind]))
    key = normalize_agency_name(_name(words, spelling, state))
    assert key == normalize_agency_name(_name(words, SUFFIXES[kind][0], state))
    assert key == f"{state.lower()}:{' '.join(w.lower() for w in words)} {kind}"


@given(places, suffix_kind, states, st.sampled_from(["upper", "lower", "title", "swapcase"]))
def test_case_of_the_words_does_not_matter(words, kind, state, change):
    suffix = SUFFIXES[kind][1]
    # The state code stays upper case: a lower-case "or" or "in" is a word, not a state.
    changed = " ".join(getattr(w, change)() for w in [*words, *suffix.split()]) + " " + state
    assert normalize_agency_name(changed) == normalize_agency_name(_name(words, suffix, state))


@given(places, suffix_kind, states, st.data())
def test_spaces_and_punctuation_around_words_do_not_matter(words, kind, state, data):
    suffix = SUFFIXES[kind][1]
    gap = st.sampled_from([" ", "  ", "\t", " \u00a0", "\n "])
    mark = st.sampled_from(["", "", ".", ",", ";", "!", "?", "*"])
    pieces = [w + data.draw(mark) for w in [*words, *suffix.split()]]
    messy = data.draw(gap).join(pieces)
    messy = data.draw(gap) + messy + data.draw(gap) + state + data.draw(gap)
    assert normalize_agency_name(messy) == normalize_agency_name(_name(words, suffix, state))


@given(places, suffix_kind, states, st.sampled_from(["{s} - {n}", "{n} {s}", "{n} - {s}"]))
def test_the_state_code_may_stand_first_or_last(words, kind, state, shape):
    name = " ".join([*words, SUFFIXES[kind][0]])
    moved = shape.format(s=state, n=name)
    assert normalize_agency_name(moved) == normalize_agency_name(f"{name} {state}")


@given(places, suffix_kind, states, states)
def test_different_states_never_share_a_key(words, kind, state, other):
    name = " ".join([*words, SUFFIXES[kind][0]])
    same = normalize_agency_name(f"{name} {state}") == normalize_agency_name(f"{name} {other}")
    assert same == (state == other)


@given(places, suffix_kind, states, st.sampled_from(["[Inactive]", "(inactive)", "[TEST]"]))
def test_a_status_tag_is_reported_and_leaves_the_key_alone(words, kind, state, tag):
    name = _name(words, SUFFIXES[kind][0], state)
    tagged = parse_agency_name(f"{name} {tag}")
    assert tagged.inactive and not parse_agency_name(name).inactive
    assert tagged.key == normalize_agency_name(name) and tag not in tagged.display
