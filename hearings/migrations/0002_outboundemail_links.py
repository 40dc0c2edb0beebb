# Stored emails stop holding signed links: each token becomes a placeholder, and a queued
# email keeps the recipe to sign its link again when it is sent.

import re
import secrets

from django.core import signing
from django.db import migrations, models

SALT_PREFIX = "hearings.tokens."  # as in hearings/tokens.py at the time of this migration
PURPOSES = {
    "hearings/comments/confirm": "comment-confirm",
    "hearings/comments/withdraw": "comment-withdraw",
    "petitions/confirm": "petition-confirm",
    "petitions/signatures/confirm": "signature-confirm",
    "petitions/signatures/withdraw": "signature-withdraw",
}
LINK = re.compile(r"/(%s)/([^/\s\"'<>]+)/" % "|".join(re.escape(p) for p in PURPOSES))


def mask_tokens(apps, schema_editor):
    OutboundEmail = apps.get_model("hearings", "OutboundEmail")
    for email in OutboundEmail.objects.filter(
        models.Q(body_text__contains="/comments/") | models.Q(body_text__contains="/petitions/")
    ).iterator():
        placeholders, links = {}, {}

        def replace(match, email=email, placeholders=placeholders, links=links):
            path, token = match.groups()
            if token.startswith("hidden-link-"):
                return match.group(0)
            if token not in placeholders:
                placeholder = "hidden-link-" + secrets.token_hex(12)
                placeholders[token] = placeholder
                purpose = PURPOSES[path]
                try:
                    payload = signing.TimestampSigner(salt=SALT_PREFIX + purpose).unsign_object(
                        token
                    )
                except (signing.BadSignature, ValueError, TypeError):
                    payload = None
                # Only an email still to be sent needs its link back.
                if email.status == "queued" and isinstance(payload, dict):
                    links[placeholder] = {
                        "purpose": purpose,
                        "pk": payload.get("pk"),
                        "extra": payload.get("x", ""),
                    }
            return f"/{path}/{placeholders[token]}/"

        text = LINK.sub(replace, email.body_text)
        html = LINK.sub(replace, email.body_html)
        if placeholders:
            email.body_text, email.body_html, email.links = text, html, links
            email.save(update_fields=["body_text", "body_html", "links"])


class Migration(migrations.Migration):
    dependencies = [
        ("hearings", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundemail",
            name="links",
            field=models.JSONField(blank=True, default=dict, verbose_name="signed links"),
        ),
        migrations.RunPython(mask_tokens, migrations.RunPython.noop),
    ]
