"""Celery tasks of the site: work that spans several apps. Each calls one service."""

from __future__ import annotations

from celery import shared_task

from portal import moderation


@shared_task(ignore_result=True)
def moderation_digest_send() -> int:
    return moderation.moderation_digest_send()
