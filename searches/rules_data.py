"""The default reason-classification rules, kept as data.

The data migration ``0002_default_rules`` creates what is missing from this file and never
overwrites a clerk's or analyst's edits; ``manage.py load_reason_rules --update`` is the explicit
way to reset the listed categories to these values (with an audit row and a reclassification).

Patterns match the *normalized* reason (case folded, anything but letters and digits turned into
spaces), so ``ICE+ERO`` is ``ice ero`` and ``25-1234`` is ``25 1234``. ``words`` patterns match
whole words; ``regex`` patterns are regular expressions; ``exact`` patterns equal the whole reason.
Priorities: concerns first, then offense families from the most to the least serious, then the
catch-all buckets (blank, case number only, vague) and the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

IMMIGRATION, REPRODUCTIVE_CARE, PROTEST, VAGUE, CASE_NUMBER_ONLY, BLANK = 1, 2, 4, 8, 16, 32

W, R, E = "words", "regex", "exact"

CATEGORIES: list[dict[str, Any]] = [
    # --- concerns ------------------------------------------------------------------------
    {
        "slug": "immigration",
        "name": "Immigration",
        "kind": "concern",
        "priority": 10,
        "flags": IMMIGRATION,
        "description": (
            "Immigration enforcement: ICE and its divisions (ERO, HSI), Customs and Border "
            "Protection, the Border Patrol, deportation and removal, and immigration status."
        ),
        "examples": "ICE\nICE+ERO\nICE WARRANT\nillegal immigration\nHSI assist\nremoval order",
        "limits": (
            '"ice" is matched only as a whole word: never inside notice, police, justice, '
            "office, service or price. ICE as frozen water is still matched, except in common "
            "phrases (ice cream, ice rink, ice machine, ice storm, black ice, dry ice); so is "
            '"ice" as slang for methamphetamine. HSI also investigates crimes unrelated to '
            "immigration (child exploitation, fraud); its searches are counted here as analysts "
            'do. A bare "DHS" counts as the Department of Homeland Security unless the reason '
            "also mentions welfare, children, foster care, human services or a caseworker (a "
            'state Department of Human Services). A bare "alien" is not matched.'
        ),
        "patterns": [
            (
                R,
                r"(?<!black )(?<!dry )(?<!shaved )\bice\b"
                r"(?! (?:cream|rink|rinks|machine|storm|skating|skate|chest|maker|cube|cubes"
                r"|pack|arena|hockey|fishing)\b)",
                "ICE, except frozen-water phrases",
            ),
            (W, "I.C.E.", "spelled with dots"),
            (W, "ICE ERO", ""),
            (W, "ERO", "Enforcement and Removal Operations"),
            (W, "HSI", "Homeland Security Investigations"),
            (W, "homeland security", ""),
            (W, "CBP", "Customs and Border Protection"),
            (W, "customs and border protection", ""),
            (W, "border patrol", ""),
            (W, "USBP", "U.S. Border Patrol"),
            (W, "immigration", ""),
            (W, "immigrant", ""),
            (W, "immigrants", ""),
            (W, "illegal immigrant", ""),
            (W, "illegal alien", ""),
            (W, "illegal aliens", ""),
            (W, "criminal alien", ""),
            (W, "undocumented", ""),
            (W, "deportation", ""),
            (W, "deport", ""),
            (W, "deported", ""),
            (W, "removal order", ""),
            (W, "order of removal", ""),
            (W, "ICE detainer", ""),
            (W, "287g", "287(g) agreements"),
            (W, "287 g", "287(g) agreements"),
            (W, "visa overstay", ""),
            (
                R,
                r"^(?!.*\b(?:welfare|child|children|kid|kids|foster|human services"
                r"|caseworker|case worker|cps|snap|benefits)\b).*\bdhs\b",
                "DHS, unless the reason reads as a Department of Human Services matter",
            ),
        ],
    },
    {
        "slug": "reproductive-care",
        "name": "Reproductive care",
        "kind": "concern",
        "priority": 20,
        "flags": REPRODUCTIVE_CARE,
        "description": (
            "Abortion and other reproductive health care, including searches about a "
            "pregnancy loss."
        ),
        "examples": "abortion\nplanned parenthood\nself-managed abortion\nmiscarriage",
        "limits": (
            "Matches named procedures, clinics and medicines only; a search about reproductive "
            'care whose reason does not say so (e.g. "welfare check" on a woman who travelled '
            'for an abortion) cannot be recognized. "Miscarriage" is included because searches '
            "about pregnancy loss are part of the concern, even when no crime is alleged."
        ),
        "patterns": [
            (W, "abortion", ""),
            (W, "abortions", ""),
            (W, "abortion pill", ""),
            (W, "reproductive", ""),
            (W, "planned parenthood", ""),
            (W, "miscarriage", ""),
            (W, "pregnancy termination", ""),
            (W, "terminated pregnancy", ""),
            (W, "terminate pregnancy", ""),
            (W, "mifepristone", ""),
            (W, "misoprostol", ""),
            (W, "family planning clinic", ""),
        ],
    },
    {
        "slug": "protest",
        "name": "Protest or First Amendment activity",
        "kind": "concern",
        "priority": 30,
        "flags": PROTEST,
        "description": (
            "Protests, rallies, demonstrations, picketing and other speech or assembly."
        ),
        "examples": "protest\nprotester vehicle\nrally\nfirst amendment\nfree speech event",
        "limits": (
            '"March" is not matched (it is also a month); neither is "riot" (also an '
            "offense). A search about an activist that names neither a protest nor speech is "
            "not recognized."
        ),
        "patterns": [
            (W, "protest", ""),
            (W, "protests", ""),
            (W, "protester", ""),
            (W, "protesters", ""),
            (W, "protestor", ""),
            (W, "protestors", ""),
            (W, "counter protest", ""),
            (W, "rally", ""),
            (W, "rallies", ""),
            (W, "demonstration", ""),
            (W, "demonstrations", ""),
            (W, "demonstrator", ""),
            (W, "demonstrators", ""),
            (W, "picket", ""),
            (W, "picketing", ""),
            (W, "first amendment", ""),
            (W, "1st amendment", ""),
            (W, "free speech", ""),
            (W, "activist", ""),
            (W, "activists", ""),
            (W, "civil unrest", ""),
        ],
    },
    # --- offense families ----------------------------------------------------------------
    {
        "slug": "homicide",
        "name": "Homicide",
        "kind": "offense",
        "priority": 100,
        "flags": 0,
        "description": "Murder, manslaughter and death investigations.",
        "examples": "homicide\nhomicide suspect\nattempted murder",
        "limits": "",
        "patterns": [
            (W, "homicide", ""),
            (W, "homicides", ""),
            (W, "murder", ""),
            (W, "murdered", ""),
            (W, "manslaughter", ""),
            (W, "death investigation", ""),
            (W, "suspicious death", ""),
        ],
    },
    {
        "slug": "kidnapping",
        "name": "Kidnapping and abduction",
        "kind": "offense",
        "priority": 105,
        "flags": 0,
        "description": "Kidnapping, abduction, custodial interference, hostage taking.",
        "examples": "kidnapping\nchild abduction\ncustodial interference",
        "limits": "",
        "patterns": [
            (W, "kidnap", ""),
            (W, "kidnapping", ""),
            (W, "kidnapped", ""),
            (W, "abduction", ""),
            (W, "abducted", ""),
            (W, "custodial interference", ""),
            (W, "custody interference", ""),
            (W, "hostage", ""),
        ],
    },
    {
        "slug": "sex-offense-trafficking",
        "name": "Sex offense and human trafficking",
        "kind": "offense",
        "priority": 110,
        "flags": 0,
        "description": (
            "Sexual assault, child exploitation, human and sex trafficking, prostitution. Human "
            "or alien smuggling also carries the immigration flag."
        ),
        "examples": "sexual assault\nhuman trafficking\nICAC\nhuman smuggling",
        "limits": '"Trafficking" alone is not matched: it is as often about drugs.',
        "patterns": [
            (W, "sex offense", ""),
            (W, "sex crime", ""),
            (W, "sex crimes", ""),
            (W, "sexual assault", ""),
            (W, "sexual abuse", ""),
            (W, "rape", ""),
            (W, "sodomy", ""),
            (W, "molestation", ""),
            (W, "indecent exposure", ""),
            (W, "lewd", ""),
            (W, "sex offender", ""),
            (W, "human trafficking", ""),
            (W, "sex trafficking", ""),
            (W, "child exploitation", ""),
            (W, "child pornography", ""),
            (W, "CSAM", "child sexual abuse material"),
            (W, "ICAC", "Internet Crimes Against Children task force"),
            (W, "prostitution", ""),
            (W, "solicitation", ""),
            ("words+immigration", "human smuggling", "also flagged immigration"),
            ("words+immigration", "alien smuggling", "also flagged immigration"),
        ],
    },
    {
        "slug": "weapons",
        "name": "Shooting and weapons",
        "kind": "offense",
        "priority": 115,
        "flags": 0,
        "description": "Shootings, shots fired, firearms and other weapons offenses.",
        "examples": "shooting\nshots fired\nADW\nfelon in possession of a firearm",
        "limits": "",
        "patterns": [
            (W, "shooting", ""),
            (W, "shootings", ""),
            (W, "shots fired", ""),
            (W, "shot", ""),
            (W, "shots", ""),
            (W, "gunshot", ""),
            (W, "gunfire", ""),
            (W, "firearm", ""),
            (W, "firearms", ""),
            (W, "gun", ""),
            (W, "guns", ""),
            (W, "weapon", ""),
            (W, "weapons", ""),
            (W, "drive by", ""),
            (W, "ADW", "assault with a deadly weapon"),
            (W, "brandishing", ""),
        ],
    },
    {
        "slug": "robbery",
        "name": "Robbery and carjacking",
        "kind": "offense",
        "priority": 120,
        "flags": 0,
        "description": "Robbery, armed robbery and carjacking.",
        "examples": "robbery\narmed robbery\ncarjacking",
        "limits": "",
        "patterns": [
            (W, "robbery", ""),
            (W, "robberies", ""),
            (W, "robbed", ""),
            (W, "rob", ""),
            (W, "carjacking", ""),
            (W, "carjacked", ""),
            (W, "strong arm", ""),
        ],
    },
    {
        "slug": "assault",
        "name": "Assault and crimes against persons",
        "kind": "offense",
        "priority": 125,
        "flags": 0,
        "description": (
            "Assault, battery, domestic violence, threats, stalking and other crimes against "
            'persons, including reasons that only say "person crime".'
        ),
        "examples": "assault\ndomestic violence\nperson crime\nfelony person crime",
        "limits": "",
        "patterns": [
            (W, "assault", ""),
            (W, "assaults", ""),
            (W, "assaulted", ""),
            (W, "agg assault", ""),
            (W, "battery", ""),
            (W, "domestic violence", ""),
            (W, "domestic", ""),
            (W, "DV", "domestic violence"),
            (W, "stabbing", ""),
            (W, "stabbed", ""),
            (W, "strangulation", ""),
            (W, "harassment", ""),
            (W, "menacing", ""),
            (W, "intimidation", ""),
            (W, "threat", ""),
            (W, "threats", ""),
            (W, "stalking", ""),
            (W, "person crime", ""),
            (W, "person crimes", ""),
            (W, "persons crime", ""),
            (W, "crimes against persons", ""),
            (W, "felony person", ""),
        ],
    },
    {
        "slug": "missing-person",
        "name": "Missing or endangered person",
        "kind": "offense",
        "priority": 130,
        "flags": 0,
        "description": (
            "Missing, endangered or at-risk people, runaways, Amber and Silver alerts and "
            "welfare checks. Not crimes, but the reasons searches are most often defended with."
        ),
        "examples": "missing person\nmisper\namber alert\nrunaway\nwelfare check",
        "limits": "A welfare check can hide another purpose; the reason as written is counted.",
        "patterns": [
            (W, "missing", ""),
            (W, "misper", ""),
            (W, "missing person", ""),
            (W, "endangered", ""),
            (W, "amber alert", ""),
            (W, "silver alert", ""),
            (W, "runaway", ""),
            (W, "run away", ""),
            (W, "welfare check", ""),
            (W, "check welfare", ""),
            (W, "welfare", ""),
            (W, "suicidal", ""),
            (W, "at risk", ""),
            (W, "dementia", ""),
        ],
    },
    {
        "slug": "warrant",
        "name": "Warrant or wanted person",
        "kind": "offense",
        "priority": 140,
        "flags": 0,
        "description": "Arrest warrants, wanted people, fugitives, parole or probation violators.",
        "examples": "warrant\nwanted subject\nfugitive\nparole violation",
        "limits": (
            '"ICE WARRANT" is counted as immigration, which comes first; an administrative '
            "immigration warrant is not an arrest warrant."
        ),
        "patterns": [
            (W, "warrant", ""),
            (W, "warrants", ""),
            (W, "warr", ""),
            (W, "wanted", ""),
            (W, "fugitive", ""),
            (W, "absconder", ""),
            (W, "absconded", ""),
            (W, "parole violation", ""),
            (W, "probation violation", ""),
            (W, "escapee", ""),
        ],
    },
    {
        "slug": "burglary",
        "name": "Burglary",
        "kind": "offense",
        "priority": 150,
        "flags": 0,
        "description": "Burglary, breaking and entering, home invasion, car prowls.",
        "examples": "burglary\nburg\nB&E\ncar prowl",
        "limits": "",
        "patterns": [
            (W, "burglary", ""),
            (W, "burglaries", ""),
            (W, "burglar", ""),
            (W, "burg", ""),
            (W, "B E", "B&E"),
            (W, "breaking and entering", ""),
            (W, "break in", ""),
            (W, "home invasion", ""),
            (W, "prowl", ""),
            (W, "car prowl", ""),
        ],
    },
    {
        "slug": "stolen-vehicle",
        "name": "Stolen vehicle or plate",
        "kind": "offense",
        "priority": 160,
        "flags": 0,
        "description": (
            "Stolen vehicles and plates, unauthorized use of a vehicle, recovered vehicles."
        ),
        "examples": "stolen vehicle\nUUV\nstolen plate\nauto theft",
        "limits": "",
        "patterns": [
            (W, "stolen vehicle", ""),
            (W, "stolen vehicles", ""),
            (W, "stolen veh", ""),
            (W, "stol veh", ""),
            (W, "stolen car", ""),
            (W, "stolen auto", ""),
            (W, "stolen truck", ""),
            (W, "stolen trailer", ""),
            (W, "stolen motorcycle", ""),
            (W, "stolen plate", ""),
            (W, "stolen plates", ""),
            (W, "stolen license plate", ""),
            (W, "stolen tag", ""),
            (W, "stolen tags", ""),
            (W, "UUV", "unauthorized use of a vehicle"),
            (W, "UUMV", "unauthorized use of a motor vehicle"),
            (W, "unauthorized use of a vehicle", ""),
            (W, "unauthorized use of vehicle", ""),
            (W, "unauthorized use of a motor vehicle", ""),
            (W, "auto theft", ""),
            (W, "vehicle theft", ""),
            (W, "car theft", ""),
            (W, "motor vehicle theft", ""),
            (W, "MVT", "motor vehicle theft"),
            (W, "10851", "California Vehicle Code section"),
            (W, "recovered vehicle", ""),
            (W, "recovered stolen", ""),
        ],
    },
    {
        "slug": "theft-fraud",
        "name": "Theft, fraud and property crime",
        "kind": "offense",
        "priority": 170,
        "flags": 0,
        "description": (
            "Theft, shoplifting, fraud, forgery, vandalism, arson and other property crime, "
            'including reasons that only say "property crime".'
        ),
        "examples": "theft\nshoplifting\ninvoice fraud\nproperty crime\ncatalytic converter",
        "limits": "",
        "patterns": [
            (W, "theft", ""),
            (W, "thefts", ""),
            (W, "larceny", ""),
            (W, "shoplifting", ""),
            (W, "shoplifter", ""),
            (W, "retail theft", ""),
            (W, "stolen", ""),
            (W, "stolen property", ""),
            (W, "catalytic converter", ""),
            (W, "fraud", ""),
            (W, "forgery", ""),
            (W, "counterfeit", ""),
            (W, "embezzlement", ""),
            (W, "identity theft", ""),
            (W, "scam", ""),
            (W, "financial crime", ""),
            (W, "vandalism", ""),
            (W, "criminal mischief", ""),
            (W, "crim mis", "criminal mischief"),
            (W, "graffiti", ""),
            (W, "arson", ""),
            (W, "trespass", ""),
            (W, "trespassing", ""),
            (W, "property crime", ""),
            (W, "property crimes", ""),
            (W, "felony property", ""),
        ],
    },
    {
        "slug": "narcotics",
        "name": "Narcotics",
        "kind": "offense",
        "priority": 180,
        "flags": 0,
        "description": "Drug possession, sales and trafficking, overdoses.",
        "examples": "narcotics\ndrug trafficking\nfentanyl",
        "limits": '"Ice" as a name for methamphetamine is counted as immigration (see there).',
        "patterns": [
            (W, "narcotics", ""),
            (W, "narcotic", ""),
            (W, "drug", ""),
            (W, "drugs", ""),
            (W, "drug trafficking", ""),
            (W, "fentanyl", ""),
            (W, "meth", ""),
            (W, "methamphetamine", ""),
            (W, "heroin", ""),
            (W, "cocaine", ""),
            (W, "marijuana", ""),
            (W, "cannabis", ""),
            (W, "controlled substance", ""),
            (W, "overdose", ""),
        ],
    },
    {
        "slug": "traffic",
        "name": "Hit and run and traffic",
        "kind": "offense",
        "priority": 190,
        "flags": 0,
        "description": (
            "Hit and run, impaired or reckless driving, eluding, crashes and traffic offenses."
        ),
        "examples": "hit and run\nhit & run\nDUII / reckless driving\nexpired license",
        "limits": "",
        "patterns": [
            (W, "hit and run", ""),
            (W, "hit run", ""),
            (W, "hit n run", ""),
            (W, "DUI", ""),
            (W, "DUII", ""),
            (W, "DWI", ""),
            (W, "reckless driving", ""),
            (W, "reckless", ""),
            (W, "eluding", ""),
            (W, "evading", ""),
            (W, "fleeing", ""),
            (W, "pursuit", ""),
            (W, "road rage", ""),
            (W, "crash", ""),
            (W, "collision", ""),
            (W, "traffic", ""),
            (W, "street racing", ""),
            (W, "expired license", ""),
            (W, "expired registration", ""),
            (W, "suspended license", ""),
        ],
    },
    # --- catch-all buckets ---------------------------------------------------------------
    {
        "slug": "blank",
        "name": "Blank",
        "kind": "other",
        "priority": 470,
        "flags": BLANK,
        "description": 'No reason given: empty, only punctuation, or "n/a", "none".',
        "examples": "(empty)\nn/a\nnone\n.",
        "limits": "",
        "patterns": [
            (R, r"^$", "empty or only punctuation and spaces"),
            (E, "n/a", ""),
            (E, "na", ""),
            (E, "none", ""),
            (E, "null", ""),
            (E, "nil", ""),
            (E, "no reason", ""),
        ],
    },
    {
        "slug": "case-number-only",
        "name": "Case number only",
        "kind": "other",
        "priority": 480,
        "flags": CASE_NUMBER_ONLY,
        "description": (
            'The reason is only a case or incident number, with at most a word like "case" '
            'or "incident": it says nothing about why the search was run.'
        ),
        "examples": "25-12345\n#2025-001234\ncase 123\nincident 25-004411",
        "limits": (
            "A number without a case word needs three digits or more in all. A bare "
            "plate-like string of letters then digits cannot be told from a case number."
        ),
        "patterns": [
            (
                R,
                r"^(?:(?:case|cases|incident|inc|report|rpt|cad|cr|dr|gr|ir|event|file|ref"
                r"|reference|call|cfs|no|num|number|nbr|nr)\s)+[a-z]{0,3}\d+(?:\s[a-z]{0,3}\d+)*$",
                "case words followed by numbers",
            ),
            (
                R,
                r"^(?=(?:\D*\d){3})[a-z]{0,3}\d+(?:\s[a-z]{0,3}\d+)*$",
                "numbers with three digits or more in all",
            ),
        ],
    },
    {
        "slug": "vague",
        "name": "Vague",
        "kind": "other",
        "priority": 500,
        "flags": VAGUE,
        "description": (
            'Reasons that name no offense or purpose: "investigation", "inv", "crime", '
            '"test", "law enforcement purpose", "suspicious vehicle".'
        ),
        "examples": "investigation\ninv\ninv.\ncrime\ntest\nsuspicious vehicle\npolice business",
        "limits": (
            '"inv" is matched as a word only (never invoice, involved or inventory). Common '
            "misspellings of investigation are matched (investagation, invesigation, "
            "ivestigations); others are not. A vague reason whose offense type is mapped to an "
            "offense family takes that family as its category and keeps the vague flag."
        ),
        "patterns": [
            (W, "investigation", ""),
            (W, "investigations", ""),
            (W, "investigative", ""),
            (W, "investigate", ""),
            (W, "inv", ""),
            (W, "invs", ""),
            (W, "invest", ""),
            (W, "inves", ""),
            (W, "invst", ""),
            (W, "inestigation", ""),
            (R, r"\bi(?:nv|v)[a-z]{0,5}(?:tig|iga|sig|ga)[a-z]*\b", "misspelled investigation"),
            (W, "crime", ""),
            (W, "crimes", ""),
            (W, "criminal", ""),
            (W, "crim", ""),
            (W, "felony", ""),
            (W, "misdemeanor", ""),
            (W, "test", ""),
            (W, "testing", ""),
            (W, "training", ""),
            (W, "law enforcement", ""),
            (W, "law enforcement purpose", ""),
            (W, "le purpose", ""),
            (W, "police business", ""),
            (W, "police", ""),
            (W, "official business", ""),
            (W, "public safety", ""),
            (W, "CFS", "call for service"),
            (W, "call for service", ""),
            (W, "case", ""),
            (W, "follow up", ""),
            (W, "followup", ""),
            (W, "suspicious", ""),
            (W, "suspect", ""),
            (W, "suspect vehicle", ""),
            (W, "person of interest", ""),
            (W, "POI", "person of interest"),
            (W, "intel", ""),
            (W, "intelligence", ""),
            (W, "info", ""),
            (W, "information", ""),
            (W, "lead", ""),
            (W, "tip", ""),
            (W, "ATL", "attempt to locate"),
            (W, "attempt to locate", ""),
            (W, "BOLO", "be on the lookout"),
            (W, "locate", ""),
            (W, "search", ""),
            (W, "patrol", ""),
            (W, "pattern of life", ""),
            (W, "other", ""),
            (W, "unknown", ""),
            (W, "misc", ""),
            (W, "general", ""),
        ],
    },
    {
        "slug": "other",
        "name": "Other (unclassified)",
        "kind": "other",
        "priority": 1000,
        "flags": 0,
        "description": "Reasons no rule recognizes. Reviewed to improve the rules.",
        "examples": "589HPM\nTaylor\nst2",
        "limits": "Includes reasons in other languages and heavy misspellings.",
        "patterns": [],
    },
]

# Offense types as audits write them, mapped to offense families: see searches.offense_data.
from searches.offense_data import OFFENSE_TYPES  # noqa: E402


def _pattern_rows(category: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    """(kind, pattern, extra flags, note) of a category's patterns, in order."""
    rows = []
    for kind, pattern, note in category["patterns"]:
        extra = 0
        if kind == "words+immigration":
            kind, extra = W, IMMIGRATION
        rows.append((kind, pattern, extra, note))
    return rows


CATEGORY_FIELDS = ("name", "kind", "priority", "flags", "description", "examples", "limits")


@dataclass
class RulesLoadResult:
    categories_created: list[str] = field(default_factory=list)
    categories_updated: list[str] = field(default_factory=list)
    patterns_created: int = 0
    offense_types_created: int = 0
    offense_types_mapped: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.categories_created
            or self.categories_updated
            or self.patterns_created
            or self.offense_types_created
            or self.offense_types_mapped
        )


def default_rules_apply(
    *,
    category_model: type[models.Model],
    pattern_model: type[models.Model],
    offense_model: type[models.Model],
    ruleset_model: type[models.Model],
    update: bool = False,
) -> RulesLoadResult:
    """Create the default categories, patterns and offense-type mappings that are missing.

    Models are passed in so the data migration can use its historical models. Existing rows are
    left alone unless ``update``: then the listed categories' fields are reset to this data and
    unmapped or differently mapped listed offense types are mapped as listed. Patterns are only
    ever added: a pattern someone added stays.
    """
    result = RulesLoadResult()
    with transaction.atomic():
        if not ruleset_model._default_manager.exists():
            ruleset_model._default_manager.create()
        by_slug = {c.slug: c for c in category_model._default_manager.all()}
        for data in CATEGORIES:
            values = {name: data[name] for name in CATEGORY_FIELDS}
            category = by_slug.get(data["slug"])
            if category is None:
                category = category_model._default_manager.create(slug=data["slug"], **values)
                by_slug[data["slug"]] = category
                result.categories_created.append(data["slug"])
            elif update:
                changed = [n for n, v in values.items() if getattr(category, n) != v]
                if changed:
                    for name in changed:
                        setattr(category, name, values[name])
                    category.save(update_fields=changed)
                    result.categories_updated.append(data["slug"])
            existing = set(
                pattern_model._default_manager.filter(category=category).values_list(
                    "kind", "pattern"
                )
            )
            new = [
                pattern_model(
                    category=category,
                    kind=kind,
                    pattern=pattern,
                    position=(position + 1) * 10,
                    flags=extra,
                    note=note,
                )
                for position, (kind, pattern, extra, note) in enumerate(_pattern_rows(data))
                if (kind, pattern) not in existing
            ]
            pattern_model._default_manager.bulk_create(new)
            result.patterns_created += len(new)
        offenses = {o.name: o for o in offense_model._default_manager.all()}
        for name, slug in OFFENSE_TYPES.items():
            family = by_slug[slug]
            offense = offenses.get(name)
            if offense is None:
                offense_model._default_manager.create(name=name, family=family)
                result.offense_types_created += 1
            elif offense.family_id is None or (update and offense.family_id != family.pk):
                offense.family = family
                offense.save(update_fields=["family"])
                result.offense_types_mapped += 1
    return result
