"""The change log's part of core events: a finished import queues a collection of changes."""

from __future__ import annotations

from typing import Any

from core.models import ImportJob
from core.tasking import task_enqueue_on_commit


def changes_after_import(sender: Any, *, job: ImportJob, **kwargs: Any) -> None:
    """Collect the changes a finished import brought (on commit, in the background)."""
    task_enqueue_on_commit("watch.tasks.changes_collect_task")
