"""Search audits: one row per ALPR search, the rules that classify its stated reason, and the
rollups that pages and the API read.

The stated reason lives once in :class:`Reason` (a dictionary of distinct reason and offense
texts); each :class:`Search` points at it and carries a denormalized copy of its category and
flags so that filters run on one indexed table. Reclassification classifies the distinct reasons
and then updates searches by join, only where something changed.

No license plate, officer name or user id is ever stored: the searcher is kept as a keyed hash
(``searcher_hash``) so distinct searchers can be counted and nothing else.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import Agency, ImportJob, StateLawProfile


class SearchFlag(enum.IntFlag):
    """Bits of ``Search.flags`` and ``SearchRollup.flags``.

    The first six are concern flags a category or pattern can carry; the last four are computed
    from the agencies and their states' law profiles.
    """

    IMMIGRATION = 1
    REPRODUCTIVE_CARE = 2
    PROTEST = 4
    VAGUE = 8
    CASE_NUMBER_ONLY = 16
    BLANK = 32
    FORBIDDEN_USE = 64  # the category is a use the source's or searcher's state law forbids
    FORBIDDEN_SHARING = 128  # out-of-state or federal search where the source state forbids it
    OUT_OF_STATE = 256  # the searching agency is based in another state than the source
    FEDERAL = 512  # the searching agency is a federal agency


CONCERN_FLAGS = (
    SearchFlag.IMMIGRATION
    | SearchFlag.REPRODUCTIVE_CARE
    | SearchFlag.PROTEST
    | SearchFlag.VAGUE
    | SearchFlag.CASE_NUMBER_ONLY
    | SearchFlag.BLANK
)
STATE_LAW_FLAGS = SearchFlag.FORBIDDEN_USE | SearchFlag.FORBIDDEN_SHARING
# The StateLawProfile.forbidden_uses values that a concern flag stands for.
USE_FLAGS: dict[str, SearchFlag] = {
    StateLawProfile.ForbiddenUse.IMMIGRATION: SearchFlag.IMMIGRATION,
    StateLawProfile.ForbiddenUse.REPRODUCTIVE_CARE: SearchFlag.REPRODUCTIVE_CARE,
    StateLawProfile.ForbiddenUse.PROTEST: SearchFlag.PROTEST,
}
# Flags that single a search out for a reader: a concern in the reason itself, or a use or a
# sharing that state law forbids. Vague, blank, out-of-state and federal are counted, not listed.
DRILL_DOWN_FLAGS = (
    SearchFlag.IMMIGRATION
    | SearchFlag.REPRODUCTIVE_CARE
    | SearchFlag.PROTEST
    | SearchFlag.FORBIDDEN_USE
    | SearchFlag.FORBIDDEN_SHARING
)

# Public names of the flags, used by filters, the API and pages.
FLAG_NAMES: dict[str, SearchFlag] = {
    "immigration": SearchFlag.IMMIGRATION,
    "reproductive_care": SearchFlag.REPRODUCTIVE_CARE,
    "protest": SearchFlag.PROTEST,
    "vague": SearchFlag.VAGUE,
    "case_number_only": SearchFlag.CASE_NUMBER_ONLY,
    "blank": SearchFlag.BLANK,
    "forbidden_use": SearchFlag.FORBIDDEN_USE,
    "forbidden_sharing": SearchFlag.FORBIDDEN_SHARING,
    "out_of_state": SearchFlag.OUT_OF_STATE,
    "federal": SearchFlag.FEDERAL,
}
FLAG_LABELS = {
    "immigration": _("Immigration"),
    "reproductive_care": _("Reproductive care"),
    "protest": _("Protest or First Amendment activity"),
    "vague": _("Vague reason"),
    "case_number_only": _("Case number only"),
    "blank": _("Blank reason"),
    "forbidden_use": _("Use forbidden by state law"),
    "forbidden_sharing": _("Sharing forbidden by state law"),
    "out_of_state": _("Out-of-state searcher"),
    "federal": _("Federal searcher"),
}


class ReasonCategory(models.Model):
    """A bucket for stated reasons (e.g. immigration, vague, stolen vehicle), edited by staff."""

    class Kind(models.TextChoices):
        CONCERN = "concern", _("Concern")
        OFFENSE = "offense", _("Offense family")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=100,
        help_text=_(
            "When a reason matches several categories, the one with the lowest number wins."
        ),
    )
    flags = models.PositiveIntegerField(
        _("concern flags"),
        default=0,
        help_text=_("Bit mask of concern flags every search in this category carries."),
    )
    examples = models.TextField(_("examples"), blank=True, help_text=_("One per line."))
    limits = models.TextField(_("known limits"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "name"]
        verbose_name = _("reason category")
        verbose_name_plural = _("reason categories")

    def __str__(self) -> str:
        # The default names are catalogue msgids (rules_data); a clerk's own name stays as typed.
        return gettext(self.name)


class ReasonPattern(models.Model):
    """One ordered pattern of a category; words match on word boundaries, case-insensitively."""

    class Kind(models.TextChoices):
        WORDS = "words", _("Words or phrase (word boundaries)")
        REGEX = "regex", _("Regular expression")
        EXACT = "exact", _("Whole reason, exactly")

    category = models.ForeignKey(
        ReasonCategory,
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="patterns",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WORDS)
    pattern = models.CharField(_("pattern"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    flags = models.PositiveIntegerField(
        _("extra concern flags"),
        default=0,
        help_text=_("Concern flags added when this pattern matches, whatever the category."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["category__priority", "position", "pk"]
        verbose_name = _("reason pattern")
        verbose_name_plural = _("reason patterns")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "kind", "pattern"], name="reasonpattern_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.pattern


class OffenseType(models.Model):
    """A distinct offense type as written in audits (NIBRS-like), mapped to an offense family."""

    name = models.CharField(_("offense type"), max_length=300, unique=True)
    family = models.ForeignKey(
        ReasonCategory,
        verbose_name=_("offense family"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offense_types",
        limit_choices_to={"kind": ReasonCategory.Kind.OFFENSE},
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("offense type")
        verbose_name_plural = _("offense types")

    def __str__(self) -> str:
        return self.name


class RuleSet(models.Model):
    """A single row whose version goes up whenever categories, patterns or offense maps change."""

    version = models.PositiveIntegerField(default=1)
    changed_at = models.DateTimeField(auto_now=True)
    reclassified_version = models.PositiveIntegerField(default=0)
    reclassified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("classification rule set")
        verbose_name_plural = _("classification rule sets")

    def __str__(self) -> str:
        return f"v{self.version}"


class Reason(models.Model):
    """A distinct (reason, offense type) pair as written, and how the rules classify it.

    ``text`` is what the public sees: scrubbed of plates, phones, emails and dates of birth
    (``searches.scrub``) before it was keyed, and with people's names masked while a name is
    under review; the unmasked text then waits in ``held_text`` for a clerk.
    """

    class NameReview(models.TextChoices):
        NONE = "none", _("No name found")
        PENDING = "pending", _("Name found, masked until reviewed")
        RELEASED = "released", _("Released by a clerk (not a person's name)")
        REDACTED = "redacted", _("Name redacted by a clerk")

    key = models.CharField(
        _("key"),
        max_length=40,
        unique=True,
        help_text=_("SHA-1 of the scrubbed text (unmasked while under review) and offense."),
    )
    text = models.TextField(_("reason as written"), blank=True)
    held_text = models.TextField(
        _("text awaiting name review"),
        blank=True,
        help_text=_("The reason with the name(s) a clerk has not yet released or redacted."),
    )
    name_review = models.CharField(
        _("name review"), max_length=10, choices=NameReview.choices, default=NameReview.NONE
    )
    offense_text = models.CharField(_("offense type(s) as written"), max_length=500, blank=True)
    category = models.ForeignKey(
        ReasonCategory,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reasons",
    )
    offense_family = models.ForeignKey(
        ReasonCategory,
        verbose_name=_("offense family"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    flags = models.PositiveIntegerField(_("concern flags"), default=0)
    rules_version = models.PositiveIntegerField(_("classified with rules version"), default=0)

    class Meta:
        verbose_name = _("reason")
        verbose_name_plural = _("reasons")
        indexes = [
            models.Index(fields=["rules_version"], name="reason_rules_version_idx"),
            models.Index(
                fields=["name_review"],
                name="reason_name_pending_idx",
                condition=Q(name_review="pending"),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80] or "(blank)"

    @property
    def base_text(self) -> str:
        """The text the key is derived from: unmasked while a name is under review."""
        return self.held_text or self.text


class ScrubPattern(models.Model):
    """A rule that replaces private data typed into reasons by a marker, before anything else
    reads them; editing one re-scrubs every stored reason."""

    class Kind(models.TextChoices):
        PLATE = "plate", _("License plate")
        PHONE = "phone", _("Phone number")
        EMAIL = "email", _("Email address")
        DOB = "dob", _("Date of birth")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    pattern = models.CharField(
        _("regular expression"),
        max_length=1000,
        help_text=_(
            "Matched case-insensitively. When it has a group named “hit”, only that group is "
            "replaced (so “plate ABC123” becomes “plate [plate]”); otherwise the whole match."
        ),
    )
    marker = models.CharField(
        _("marker"),
        max_length=20,
        blank=True,
        help_text=_("What replaces a match; blank: the kind's marker, e.g. [plate]."),
    )
    position = models.PositiveSmallIntegerField(
        _("order"), default=100, help_text=_("Lower runs first.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("scrub pattern")
        verbose_name_plural = _("scrub patterns")
        constraints = [
            models.UniqueConstraint(fields=["kind", "pattern"], name="scrubpattern_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.note or self.pattern[:60]}"


class ReasonReview(Reason):
    """Reasons as clerks review them: names to release or redact, text to redact by hand."""

    class Meta:
        proxy = True
        verbose_name = _("reason to review")
        verbose_name_plural = _("reasons to review")


class Search(models.Model):
    """One ALPR search from an audit file. No plate, officer name or user id, by design."""

    id = models.BigAutoField(primary_key=True)
    source_agency = models.ForeignKey(
        Agency,
        verbose_name=_("source agency"),
        on_delete=models.CASCADE,
        related_name="audited_searches",
        db_index=False,  # led by the unique (source, dedupe key) and the composite indexes
        # No database constraints on this table's keys: an audit adds millions of rows at once,
        # each would be checked three times, and on PostgreSQL the table is partitioned by
        # source (``searches.partitions``). The ORM still cascades and protects on delete.
        db_constraint=False,
        help_text=_("Whose audit the search comes from."),
    )
    searching_agency = models.ForeignKey(
        Agency,
        verbose_name=_("searching agency"),
        on_delete=models.CASCADE,
        related_name="searches_made",
        db_index=False,  # search_searcher_time_idx leads with it
        db_constraint=False,
    )
    searched_at = models.DateTimeField(_("searched at (UTC)"))
    reason = models.ForeignKey(
        Reason,
        verbose_name=_("reason"),
        on_delete=models.PROTECT,
        related_name="searches",
        db_index=False,  # search_reason_idx
        db_constraint=False,
    )
    # Denormalized from the reason (and the agencies' state laws) by classification.
    category = models.ForeignKey(
        ReasonCategory,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        # A copy of the reason's category, not a fact of its own: no per-row constraint check
        # on imports of millions of rows (Django still nulls it when a category is deleted).
        db_constraint=False,
    )
    flags = models.PositiveIntegerField(_("flags"), default=0)
    case_number_present = models.BooleanField(_("case number given"), null=True)
    networks_searched = models.PositiveIntegerField(_("networks searched"), null=True)
    devices_searched = models.PositiveIntegerField(_("devices searched"), null=True)
    time_frame_start = models.DateTimeField(_("time frame start"), null=True)
    time_frame_end = models.DateTimeField(_("time frame end"), null=True)
    search_type = models.CharField(_("search type"), max_length=40, blank=True)
    moderation = models.CharField(_("moderation"), max_length=40, blank=True)
    external_id = models.CharField(_("id in the source"), max_length=64, blank=True)
    dedupe_key = models.CharField(
        _("dedupe key"),
        max_length=64,
        help_text=_("The external id, or a hash of the row's content when the source has none."),
    )
    searcher_hash = models.CharField(_("searcher (keyed hash)"), max_length=32, blank=True)
    job = models.ForeignKey(
        ImportJob,
        verbose_name=_("import job"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,  # provenance only; Django nulls it when a job is deleted
    )

    class Meta:
        verbose_name = _("search")
        verbose_name_plural = _("searches")
        constraints = [
            models.UniqueConstraint(
                fields=["source_agency", "dedupe_key"], name="search_unique_per_source"
            ),
            models.CheckConstraint(
                condition=Q(time_frame_start__isnull=True)
                | Q(time_frame_end__isnull=True)
                | Q(time_frame_start__lte=F("time_frame_end")),
                name="search_time_frame_ordered",
            ),
        ]
        # Each index serves a query of the code; on PostgreSQL an audit's partition is loaded
        # bare and they are built after (``searches.partitions``).
        indexes = [
            # The explorer on one audit, sorted by time; rollup refreshes of (source, month).
            models.Index(fields=["source_agency", "searched_at"], name="search_source_time_idx"),
            # The explorer and the agency page on one searching agency, by time.
            models.Index(
                fields=["searching_agency", "searched_at"], name="search_searcher_time_idx"
            ),
            # The explorer with no agency filter, by time (keyset pages).
            models.Index(fields=["searched_at"], name="search_time_idx"),
            # Reclassification and scrub merges update the searches of given reasons.
            models.Index(fields=["reason"], name="search_reason_idx"),
            # The largest searches of an audit by devices reached.
            models.Index(
                fields=["source_agency", "-devices_searched"], name="search_source_devices_idx"
            ),
            # Flagged searches, newest first (home page news, the flagged drill-down).
            models.Index(
                fields=["flags", "searched_at"],
                name="search_flagged_time_idx",
                condition=Q(flags__gt=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_agency_id}:{self.external_id or self.dedupe_key}"


# The rollups and their summaries are derived data: rewritten by set-based SQL after every
# import, so their keys carry no database constraints (checking hundreds of thousands of rows at
# commit cost more than the import's own work); the ORM deletes them with their agency.


class AgencyPair(models.Model):
    """Rows about the searches of one source's cameras (its audit) by one searching agency."""

    source_agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    searching_agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )

    class Meta:
        abstract = True


class SearchCounts(models.Model):
    """Summed figures of a group of searches."""

    searches = models.PositiveIntegerField(default=0)
    devices_total = models.BigIntegerField(default=0)
    devices_max = models.PositiveIntegerField(null=True)
    networks_total = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class SearchRollup(AgencyPair, SearchCounts):
    """Searches counted per source agency, searching agency, month, category and flag set."""

    month = models.DateField(_("month"), help_text=_("First day of the month, UTC."))
    category = models.ForeignKey(
        ReasonCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    flags = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("search rollup")
        verbose_name_plural = _("search rollups")
        constraints = [
            # Coalesce so that "no category" counts as one value on every database.
            models.UniqueConstraint(
                F("source_agency"),
                F("searching_agency"),
                F("month"),
                Coalesce("category", Value(0)),
                F("flags"),
                name="searchrollup_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["source_agency", "month"], name="rollup_source_month_idx"),
            models.Index(fields=["searching_agency", "month"], name="rollup_searcher_month_idx"),
            models.Index(fields=["month"], name="rollup_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_agency_id}/{self.searching_agency_id} {self.month:%Y-%m}"


class SearchDay(models.Model):
    """Searches per source agency and UTC day: the coverage of the audits and their gaps."""

    source_agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    day = models.DateField(_("day"))
    searches = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source_agency", "day"], name="searchday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_agency_id} {self.day}"


class AuditSource(models.Model):
    """A public audit CSV URL that beat fetches on a schedule, importing only new searches."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="audit_sources",
        help_text=_("Whose audit the URL publishes."),
    )
    url = models.URLField(_("URL"), max_length=1000)
    is_active = models.BooleanField(_("active"), default=True)
    interval_hours = models.PositiveSmallIntegerField(_("fetch every (hours)"), default=24)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    etag = models.CharField(max_length=200, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agency__name"]
        verbose_name = _("audit source")
        verbose_name_plural = _("audit sources")
        constraints = [
            models.UniqueConstraint(fields=["agency", "url"], name="auditsource_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.url}"


class AuditFetch(models.Model):
    """One scheduled (or manual) fetch of an audit source and what it brought."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        IMPORTED = "imported", _("Imported")
        NOT_MODIFIED = "not_modified", _("Not modified")
        FAILED = "failed", _("Failed")

    source = models.ForeignKey(AuditSource, on_delete=models.CASCADE, related_name="fetches")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    bytes_received = models.BigIntegerField(default=0)
    job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows_new = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("audit fetch")
        verbose_name_plural = _("audit fetches")

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


# --- Summaries of the rollups ------------------------------------------------------------------
# Re-derived from SearchRollup whenever it changes (searches.services.rollups), so the pages of a
# big city read thousands of rows instead of hundreds of thousands.


class SearchMonthTotal(SearchCounts):
    """``SearchRollup`` summed over searching agencies: per source, month, category, flags."""

    source_agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    month = models.DateField(_("month"))
    category = models.ForeignKey(
        ReasonCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    flags = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["source_agency", "month"], name="monthtotal_source_month_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_agency_id} {self.month:%Y-%m}"


class SearchNationalTotal(SearchCounts):
    """``SearchMonthTotal`` summed over every audit: per month, category and flag set. The
    national figures read it (a thousand rows however many audits there are)."""

    month = models.DateField(_("month"))
    category = models.ForeignKey(
        ReasonCategory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    flags = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.category_id} {self.flags}"


class SearchPairTotal(AgencyPair):
    """Searches of one source's cameras by one searching agency, over all months."""

    searches = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(
        default=0, help_text=_("Searches with a concern or state-law flag (the drill-down flags).")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_agency", "searching_agency"], name="searchpairtotal_unique"
            ),
        ]
        indexes = [models.Index(fields=["searching_agency"], name="pairtotal_searcher_idx")]

    def __str__(self) -> str:
        return f"{self.source_agency_id}/{self.searching_agency_id}"


class SearcherSet(AgencyPair):
    """Which (hashed) searchers of a searching agency searched a source, over all months: the
    exact distinct-searcher counts. Aggregated from the searches themselves; an import only adds
    the pairs its new searches bring, any other change recounts the source."""

    searcher_hash = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_agency", "searching_agency", "searcher_hash"],
                name="searcherset_unique",
            ),
        ]
        indexes = [models.Index(fields=["searching_agency"], name="searcherset_searcher_idx")]

    def __str__(self) -> str:
        return f"{self.source_agency_id}/{self.searching_agency_id}"


class SearcherCount(models.Model):
    """A distinct-searcher count as a page asked for it (a set of sources, or one searching
    agency), stored under the stamp of the rollups it was counted from (``stats_version``).

    Counting distinct (searching agency, hashed searcher) pairs reads every searcher-set row of
    the sources, which grows with the audits; a page reads this one row instead. The count is
    exact: rows are written only by the read that computed them, under the stamp it saw, and
    every rollup change empties the table (a stale stamp is never asked for again).
    """

    key = models.CharField(max_length=40, unique=True)  # sha1 of what is counted and the stamp
    searchers = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.key}: {self.searchers}"
