"""Queueing a Celery task from a service by the task's registered name.

Tasks call services, so a service that queues follow-up work must not import its app's tasks
module (that would be a cycle, or an import hidden in a function). It names the task instead;
the registry resolves it when the message is sent, eagerly in the embedded default and tests.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import transaction


def task_enqueue(name: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task registered as ``name`` now."""
    if name not in current_app.tasks:
        # The apps' tasks modules are autodiscovered when a worker starts; a web process
        # imports them the first time it queues one.
        current_app.loader.import_default_modules()
    current_app.tasks[name].delay(*args, **kwargs)


def task_enqueue_on_commit(name: str, *args: Any, **kwargs: Any) -> None:
    """Queue the task registered as ``name`` once the current transaction commits (at once
    outside a transaction), so the worker reads what this transaction wrote."""
    transaction.on_commit(lambda: task_enqueue(name, *args, **kwargs))
