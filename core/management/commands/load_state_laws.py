"""Load the state ALPR law profiles from core/lawdata.py."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.lawdata import state_law_profiles_load


class Command(BaseCommand):
    help = (
        "Create the state law profiles listed in core/lawdata.py that are missing. "
        "With --update, also overwrite existing profiles (including clerks' edits) from that "
        "data; each overwrite is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite existing profiles from core/lawdata.py.",
        )

    def handle(self, *args, update: bool = False, **options):
        result = state_law_profiles_load(update=update)
        self.stdout.write(
            _(
                "State law profiles: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged."
            )
            % {
                "created": len(result.created),
                "updated": len(result.updated),
                "unchanged": len(result.unchanged),
            }
        )
        for label, states in ((_("created"), result.created), (_("updated"), result.updated)):
            if states:
                self.stdout.write(f"  {label}: {', '.join(states)}")
