"""Fixtures shared by the portal tests."""

import pytest

from core.signals import state_laws_changed


@pytest.fixture
def reflagged():
    """The states each ``state_laws_changed`` signal asked to reflag."""
    sent: list[set[str]] = []

    def listener(*, states, **_):
        sent.append(set(states))

    state_laws_changed.connect(listener)
    yield sent
    state_laws_changed.disconnect(listener)
