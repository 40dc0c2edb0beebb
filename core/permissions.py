"""The Clerks group: the model permissions a city clerk has in the admin.

Row-level scoping (a clerk sees only their cities) lives in each model's ``get_viewable``;
this module only grants the model-level permissions that Django's admin checks first.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

CLERKS_GROUP = "Clerks"

# app_label.model -> actions a clerk may take on it
CLERK_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "core.city": ("view", "change"),
    "core.agency": ("view", "add", "change"),
    "core.agencyalias": ("view", "add", "change", "delete"),
    "core.statelawprofile": ("view", "change"),
    "core.importjob": ("view", "add"),
    "core.importrowerror": ("view",),
    "core.auditevent": ("view",),
    "cameras.camera": ("view", "add", "change", "delete"),
    "cameras.sharingagreement": ("view", "add", "change", "delete"),
    "cameras.transparencysnapshot": ("view", "add", "change"),
    "searches.reasoncategory": ("view",),
    "searches.reasonpattern": ("view",),
    "searches.offensetype": ("view",),
    "searches.reason": ("view",),
    "searches.reasonreview": ("view", "change"),  # names to release or redact, hand redaction
    "searches.scrubpattern": ("view",),
    "hearings.cityengagementsettings": ("view", "add", "change"),
    "hearings.hearing": ("view", "add", "change"),
    "hearings.agendaitem": ("view", "add", "change", "delete"),
    "hearings.agendadocument": ("view", "add", "change", "delete"),
    "hearings.comment": ("view", "change"),
    "hearings.outboundemail": ("view",),
    "petitions.petition": ("view", "change"),
    "petitions.signature": ("view",),
    "searches.auditsource": ("view", "add", "change", "delete"),
    "searches.auditfetch": ("view",),
    "cameras.pagesource": ("view", "add", "change", "delete"),
    "cameras.pagefetch": ("view",),
    "cameras.osmarea": ("view", "add", "change", "delete"),
    "alerts.subscription": ("view",),  # counts and their own cities' subscribers only
    "alerts.webhook": ("view",),
    "records.recordsrequest": ("view", "add", "change"),
    "reports.reportnarrative": ("view", "add", "change", "delete"),  # their annual reports' text
}


# Analysts edit the national reason-classification rules (clerks only view them).
ANALYSTS_GROUP = "Analysts"
ANALYST_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "searches.reasoncategory": ("view", "add", "change", "delete"),
    "searches.reasonpattern": ("view", "add", "change", "delete"),
    "searches.offensetype": ("view", "add", "change", "delete"),
    "searches.reason": ("view",),
    "searches.scrubpattern": ("view", "add", "change", "delete"),
}


@transaction.atomic
def clerk_group() -> Group:
    """Create or refresh the Clerks group with exactly the permissions above."""
    return _group(CLERKS_GROUP, CLERK_PERMISSIONS)


@transaction.atomic
def analyst_group() -> Group:
    """Create or refresh the Analysts group (classification rules)."""
    return _group(ANALYSTS_GROUP, ANALYST_PERMISSIONS)


def _group(name: str, permissions: dict[str, tuple[str, ...]]) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    wanted = []
    for label, actions in permissions.items():
        app_label, model = label.split(".")
        for action in actions:
            wanted.append((app_label, f"{action}_{model}"))
    perms = [
        p
        for p in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={a for a, _ in wanted},
            codename__in={c for _, c in wanted},
        )
        if (p.content_type.app_label, p.codename) in wanted
    ]
    group.permissions.set(perms)
    return group
