"""Stored audit rows take the one shape of ``changes``: ``{field: {"old": ..., "new": ...}}``.

Older writers stored ``{field: [old, new]}``, bare new values, or (for deletions) ``{"old": v}``
alone. Only the keys that are field changes of the actions below are converted; context keys
(counts, hashes, a rejection reason) keep their plain values. The reverse is a no-op: the old
readers (a JSON dump) read the new shape too.
"""

from django.db import migrations

# Actions whose two-item lists are [old, new].
LIST_DIFF_ACTIONS = frozenset(
    {
        "statelaw.create",
        "statelaw.update",
        "statelaw.delete",
        "hearing.update",
        "agenda_item.outcome",
        "comment.withdraw",
        "comment.approve",
        "comment.reject",
        "searches.rules_changed",
    }
)
# Actions whose bare values were a field's new value: None means every key.
BARE_FIELD_KEYS = {
    "camera.remove": None,
    "agency.tag": None,
    "hearing.create": None,
    "agenda_item.create": None,
    "petition.start": None,
    "comment.submit": None,
    "petition.approve": None,
    "petition.reject": None,
    "comment.confirm": {"status"},
    "petition.confirm": {"status"},
    "petition.close": {"status"},
    "petition.deliver": {"status"},
    "petition.respond": {"status"},
}
LIST_DIFF_KEYS = {"comment.approve": {"status"}, "comment.reject": {"status"}}


def upgrade_changes(action: str, changes: object) -> object:
    """``changes`` of one row in the one shape (unchanged when it already is)."""
    if not isinstance(changes, dict):
        return changes
    upgraded = {}
    bare_keys = BARE_FIELD_KEYS.get(action, ())
    list_keys = LIST_DIFF_KEYS.get(action)
    for key, value in changes.items():
        if isinstance(value, dict) and set(value) == {"old"}:
            value = {"old": value["old"], "new": None}
        elif (
            action in LIST_DIFF_ACTIONS
            and (list_keys is None or key in list_keys)
            and isinstance(value, list)
            and len(value) == 2
        ):
            value = {"old": value[0], "new": value[1]}
        elif (bare_keys is None or key in bare_keys) and not (
            isinstance(value, dict) and (set(value) == {"old", "new"} or value == {"changed": True})
        ):
            value = {"old": None, "new": value}
        upgraded[key] = value
    return upgraded


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("portal", "AuditEvent")
    batch = []
    for event in AuditEvent.objects.only("pk", "action", "changes").iterator(chunk_size=2000):
        upgraded = upgrade_changes(event.action, event.changes)
        if upgraded != event.changes:
            event.changes = upgraded
            batch.append(event)
        if len(batch) >= 500:
            AuditEvent.objects.bulk_update(batch, ["changes"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["changes"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_search_trigram_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
