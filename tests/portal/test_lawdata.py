import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.validators import URLValidator

from core.lawdata import LAST_REVIEWED, PROFILES, RECORDS_LAWS, profile_states, profile_values
from core.models import AuditEvent, StateLawProfile
from core.states import STATES

MODEL_FIELDS = {f.name for f in StateLawProfile._meta.concrete_fields}


def test_every_profile_is_complete_and_well_formed():
    states = [p["state"] for p in PROFILES]
    assert len(states) == len(set(states)), "one profile per state"
    validate_url = URLValidator(schemes=["https"])
    for profile in PROFILES:
        state = profile["state"]
        assert state in STATES
        assert set(profile) <= MODEL_FIELDS, state
        assert profile["statute_citation"].strip(), state
        assert len(profile["statute_citation"]) <= 200, state
        validate_url(profile["statute_url"])
        assert len(profile["statute_url"]) <= 200, state
        assert len(profile["summary"]) > 150, state
        assert profile["last_reviewed"] == dt.date(2026, 11, 22) == LAST_REVIEWED
        assert set(profile["forbidden_uses"]) <= set(StateLawProfile.ForbiddenUse.values), state
        limit = profile["retention_limit_days"]
        assert limit is None or (isinstance(limit, int) and limit >= 0), state


def test_illinois_requires_a_declaration_but_does_not_forbid_out_of_state_sharing():
    illinois = profile_values("IL")
    assert illinois["statute_citation"].startswith("625 ILCS 5/2-130")
    assert "ilga.gov" in illinois["statute_url"]
    assert illinois["forbidden_uses"] == ["immigration", "reproductive_care"]
    assert illinois["requires_written_declaration"] is True
    assert illinois["forbids_out_of_state_sharing"] is False
    assert illinois["forbids_federal_sharing"] is False
    assert illinois["effective_date"] == dt.date(2024, 1, 1)


def test_california_forbids_out_of_state_and_federal_sharing():
    california = profile_values("CA")
    assert "1798.90.5" in california["statute_citation"]
    assert "leginfo.legislature.ca.gov" in california["statute_url"]
    assert california["forbids_out_of_state_sharing"] is True
    assert california["forbids_federal_sharing"] is True
    assert "2023-DLE-06" in california["summary"]


def test_profile_values_is_a_copy():
    profile_values("IL")["forbidden_uses"].append("protest")
    assert profile_values("IL")["forbidden_uses"] == ["immigration", "reproductive_care"]
    with pytest.raises(KeyError):
        profile_values("ZZ")


@pytest.mark.django_db
def test_migrations_load_every_profile_and_they_validate():
    assert StateLawProfile.objects.count() == len(profile_states())
    for state in ("IL", "CA"):
        profile = StateLawProfile.objects.get(state=state)
        assert profile.statute_citation and profile.statute_url
    for profile in StateLawProfile.objects.all():
        try:
            profile.full_clean()
        except ValidationError as error:  # pragma: no cover - the message names the state
            pytest.fail(f"{profile.state}: {error}")


@pytest.mark.django_db
def test_data_migration_only_creates_missing_profiles():
    migration = importlib.import_module("core.migrations.0002_state_law_profiles")
    StateLawProfile.objects.filter(state="VT").delete()
    StateLawProfile.objects.filter(state="CA").update(summary="Edited by a clerk.")

    migration.create_missing_profiles(django_apps, None)

    assert StateLawProfile.objects.get(state="VT").retention_limit_days == 548
    assert StateLawProfile.objects.get(state="CA").summary == "Edited by a clerk."
    assert StateLawProfile.objects.count() == len(profile_states())


@pytest.mark.django_db
def test_load_state_laws_keeps_edits_unless_asked_to_update(capsys):
    StateLawProfile.objects.filter(state="IL").update(retention_limit_days=7)
    StateLawProfile.objects.filter(state="NE").delete()

    call_command("load_state_laws")
    assert "1 created, 0 updated" in capsys.readouterr().out
    assert StateLawProfile.objects.get(state="IL").retention_limit_days == 7
    assert StateLawProfile.objects.get(state="NE").retention_limit_days == 180
    assert not AuditEvent.objects.exists()

    call_command("load_state_laws", "--update")
    assert "0 created, 1 updated" in capsys.readouterr().out
    assert StateLawProfile.objects.get(state="IL").retention_limit_days is None
    event = AuditEvent.objects.get()
    assert event.action == "statelaw.update"
    assert event.changes == {"retention_limit_days": {"old": 7, "new": None}}

    call_command("load_state_laws", "--update")
    assert AuditEvent.objects.count() == 1


def test_records_laws_are_complete_and_cite_their_sources():
    validate_url = URLValidator(schemes=["https", "http"])
    for state, law in RECORDS_LAWS.items():
        assert state in STATES
        assert set(law) <= MODEL_FIELDS, state
        for key in ("records_law_name", "records_law_citation"):
            assert law[key].strip() and len(law[key]) <= 200, (state, key)
        validate_url(law["records_law_url"])
        assert len(law["records_deadline_rule"]) > 80, state
        # An appeal route is given with its citation and link, or left out altogether.
        appeal = (law["records_appeal_route"], law["records_appeal_citation"])
        assert all(appeal) or not any(appeal), state
        if law["records_appeal_url"]:
            validate_url(law["records_appeal_url"])
        days = law["records_deadline_days"]
        assert days is None or (isinstance(days, int) and 0 < days <= 30), state
    illinois = profile_values("IL")
    assert illinois["statute_citation"].startswith("625 ILCS 5/2-130")  # ALPR profile kept
    assert (illinois["records_deadline_days"], illinois["records_deadline_business_days"]) == (
        5,
        True,
    )
    assert profile_values("CA")["records_deadline_business_days"] is False
    assert profile_values("MN")["records_deadline_days"] is None  # "reasonable time"
    assert "statute_citation" not in profile_values("MI")  # records law only


@pytest.mark.django_db
def test_records_fields_reach_existing_databases_without_overwriting_edits():
    migration = importlib.import_module("core.migrations.0005_state_law_records_fields")
    StateLawProfile.objects.filter(state="IL").update(records_law_citation="", summary="Edited.")
    StateLawProfile.objects.filter(state="OR").update(records_deadline_rule="Clerk's note.")
    StateLawProfile.objects.filter(state="TX").delete()

    migration.fill_records_laws(django_apps, None)

    illinois = StateLawProfile.objects.get(state="IL")
    assert illinois.records_law_citation.startswith("5 ILCS 140") and illinois.summary == "Edited."
    assert StateLawProfile.objects.get(state="OR").records_deadline_rule == "Clerk's note."
    texas = StateLawProfile.objects.get(state="TX")
    assert texas.records_deadline_days == 10 and not texas.has_alpr_law
    # Pages about ALPR law leave records-only states out.
    from core.selectors import law_profile_get, law_profiles_by_state

    assert law_profile_get(state="TX") is None and "TX" not in law_profiles_by_state()
    assert law_profile_get(state="IL") is not None
