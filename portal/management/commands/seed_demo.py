"""Load the invented demo data set (see portal/demo.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.demo import DEMO_PASSWORD
from hearings.demo import demo_hearings_build
from petitions.demo import demo_petitions_build
from portal.demo import demo_build
from records.demo import demo_records_build
from reports.demo import demo_reports_build
from searches.demo import demo_searches_build
from watch.services import changes_collect


class Command(BaseCommand):
    help = (
        "Load the demo data: fictional cities (Prairie Junction IL, Harbor Vista CA, Alder Bend "
        "OR, Lake Aster MN), their agencies, cameras, sharing agreements and transparency "
        "snapshots, search audits, hearings with public comments and petitions, plus the state law "
        "profiles. Idempotent: a second run changes nothing. "
        "Outside production it also creates the demo accounts admin (superuser), clerk.prairie "
        "and clerk.harbor (clerks of Prairie Junction and Harbor Vista), all with the password "
        f"{DEMO_PASSWORD}. Refuses to run in production unless --force, and never creates the "
        "demo accounts there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even in production (without the demo accounts).",
        )

    def handle(self, *args, force: bool = False, **options):
        if settings.PRODUCTION and not force:
            raise CommandError(
                _("Refusing to load invented demo data in production; pass --force to insist.")
            )
        result = demo_build(accounts=not settings.PRODUCTION)
        if result.created:
            self.stdout.write(self.style.SUCCESS(_("Demo data loaded.")))
        else:
            self.stdout.write(_("Demo data already present; nothing changed."))
        for label, count in result.counts.items():
            self.stdout.write(f"  {label}: {count}")
        # Audits, hearings and petitions refer to the agencies, cameras and accounts above;
        # petitions after hearings, since one was presented at a demo hearing.
        # The builders only write() to ``stdout``, but ask for a TextIO / IO[str], which
        # Django's OutputWrapper (a TextIOBase) is not; their annotations are too narrow.
        demo_searches_build(stdout=self.stdout)  # type: ignore[arg-type]
        demo_hearings_build(stdout=self.stdout)  # type: ignore[arg-type]
        demo_petitions_build(stdout=self.stdout)  # type: ignore[arg-type]
        demo_records_build(stdout=self.stdout)  # type: ignore[arg-type]
        demo_reports_build(stdout=self.stdout)  # type: ignore[arg-type]
        # The change log of everything above (idempotent: a second run records nothing).
        recorded = changes_collect(actor=None)
        self.stdout.write(_("Changes recorded: %(n)s") % {"n": sum(recorded.values())})
        if result.accounts:
            self.stdout.write(
                _("Demo accounts (password %(password)s):") % {"password": DEMO_PASSWORD}
            )
            for account in result.accounts:
                state = _("created") if account.created else _("already there")
                self.stdout.write(f"  {account.username} ({account.role}, {state})")
