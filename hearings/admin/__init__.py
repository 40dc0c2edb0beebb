"""The clerk admin of the hearings app: hearings, agendas, comments and the outbox
(``hearings.py``); petitions and signatures (``petitions.py``)."""

from hearings.admin import hearings, petitions  # noqa: F401 - registers the ModelAdmins
