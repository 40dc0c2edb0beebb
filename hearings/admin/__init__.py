"""The clerk admin of the hearings app: hearings, agendas, comments and the outbox."""

from hearings.admin import hearings  # noqa: F401 - registers the ModelAdmins
