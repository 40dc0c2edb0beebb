"""The admin for alerts: read-only, scoped to the clerk's cities (a city's subscriptions and
those to its agencies). The changelist opens with the counts per city; a subscriber's address
shows only on a subscription's own page, which a clerk reaches only for their cities. Webhook
secrets are never shown after registration.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alerts.models import Subscription, Webhook
from alerts.selectors import subscription_counts
from core.admin_scoping import ReadOnlyScopedAdmin


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyScopedAdmin):
    change_list_template = "admin/alerts/subscription/change_list.html"
    list_display = ["target_name", "frequency", "status", "language", "created_at"]
    list_filter = ["status", "frequency", "language"]
    list_select_related = ["city", "agency"]
    date_hierarchy = "created_at"
    fields = (
        "subscriber_email",
        "city",
        "agency",
        "topics",
        "frequency",
        "language",
        "status",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("alerts about"))
    def target_name(self, obj: Subscription) -> str:
        return str(obj.target)

    @admin.display(description=_("email"))
    def subscriber_email(self, obj: Subscription) -> str:
        return obj.subscriber.email

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "counts": subscription_counts(user=request.user)}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyScopedAdmin):
    list_display = ["pk", "target_name", "status", "consecutive_failures", "last_success_at"]
    list_filter = ["status"]
    list_select_related = ["city", "agency"]
    # No secret here: it signs POSTs and was shown once to the newsroom that registered it.
    fields = (
        "url",
        "email",
        "city",
        "agency",
        "topics",
        "status",
        "confirmed_at",
        "disabled_at",
        "consecutive_failures",
        "last_success_at",
        "last_failure_at",
        "last_error",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("changes of"))
    def target_name(self, obj: Webhook) -> str:
        return str(obj.target)
