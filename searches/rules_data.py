"""The default reason-classification rules, kept as data.

The data migration ``0002_default_rules`` creates what is missing from this file and never
overwrites a clerk's or analyst's edits; ``manage.py load_reason_rules --update`` is the explicit
way to reset the listed categories to these values (with an audit row and a reclassification).

Patterns match the *normalized* reason (case folded, anything but letters and digits turned into
spaces), so ``ICE+ERO`` is ``ice ero`` and ``25-1234`` is ``25 1234``. ``words`` patterns match
whole words; ``regex`` patterns are regular expressions; ``exact`` patterns equal the whole reason.
Priorities: concerns first, then offense families from the most to the least serious, then the
catch-all buckets (blank, case number only, vague) and the fallback. A concern or offense always
beats a catch-all bucket (``searches.classifier``), so vague words never hide a named offense.

Misspellings and abbreviations seen in real audits are patterns like any other (``_misspelt``
adds them with a note saying what they stand for), and statute numbers are regex patterns built
by ``_statute`` from the code words officers type around them (``STATUTE_CODES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_noop

if TYPE_CHECKING:
    from searches.models import OffenseType, ReasonCategory, ReasonPattern, RuleSet

IMMIGRATION, REPRODUCTIVE_CARE, PROTEST, VAGUE, CASE_NUMBER_ONLY, BLANK = 1, 2, 4, 8, 16, 32

W, R, E = "words", "regex", "exact"

# The words that say which code a section number belongs to, as they read once normalized
# ("H&S" is "h s", "§" is "sec"). A section number counts only next to one of them, before or
# after, with up to three subsection parts between ("245(a)(1) PC" is "245 a 1 pc").
STATUTE_CODES: dict[str, str] = {
    "CA Penal Code": r"pc|cpc|penal|penal code|sec|section",
    "CA Vehicle Code": r"vc|cvc|veh code|vehicle code",
    "CA Health and Safety Code": r"hs|h s|hsc|h and s|health and safety|health and safety code",
    "TX Penal Code": r"pc|tpc|tx pc|penal|penal code|texas penal code|sec",
    "TX Health and Safety Code": r"hs|h s|hsc|health and safety|health and safety code",
    "FL Statutes": r"fs|f s|fss|f s s|fla stat|florida statutes?|stat|statute|sec|section",
}


def _statute(code: str, *sections: str) -> tuple[str, str, str]:
    """A regex pattern for the given sections of one code, next to one of its code words."""
    numbers = "|".join(section.replace(".", " ") for section in sections)
    words = STATUTE_CODES[code]
    regex = (
        rf"\b(?:{words}) ?(?:{numbers})\b"
        rf"|\b(?:{numbers})(?: [a-z0-9]{{1,2}}){{0,3}} ?(?:{words})\b"
    )
    return (R, regex, f"{code} {', '.join(sections)}")


def _misspelt(meaning: str, *variants: str) -> list[tuple[str, str, str]]:
    """Word patterns for misspellings or abbreviations seen in real audits."""
    return [(W, variant, f"for {meaning}") for variant in variants]


CATEGORIES: list[dict[str, Any]] = [
    # --- concerns ------------------------------------------------------------------------
    {
        "slug": "immigration",
        "name": gettext_noop("Immigration"),
        "kind": "concern",
        "priority": 10,
        "flags": IMMIGRATION,
        "description": gettext_noop(
            "Immigration enforcement: ICE and its divisions (ERO, HSI), Customs and Border "
            "Protection, the Border Patrol, deportation, removal proceedings and orders, "
            "immigration holds and detainers, and immigration status."
        ),
        "examples": (
            "ICE\nICE+ERO\nICE WARRANT\nillegal immigration\nHSI assist\nremoval order\n"
            "removal proceedings\ndeportee\nimmigration hold"
        ),
        "limits": gettext_noop(
            '"ice" is matched only as a whole word: never inside notice, police, justice, '
            "office, service or price. ICE as frozen water is still matched, except in common "
            "phrases (ice cream, ice rink, ice machine, ice storm, black ice, dry ice); so is "
            '"ice" as slang for methamphetamine. HSI also investigates crimes unrelated to '
            "immigration (child exploitation, fraud); its searches are counted here as analysts "
            'do. A bare "DHS" counts as the Department of Homeland Security unless the reason '
            "also mentions welfare, children, foster care, human services or a caseworker (a "
            'state Department of Human Services). A bare "alien" is not matched, nor a bare '
            '"removal" (snow removal, tow removal), nor "notice to appear", which is also a '
            "traffic court notice."
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
            (W, "overstayed visa", ""),
            (R, r"\bdeport\w*", "deport, deported, deportation, deportee, deportable, ..."),
            (W, "removal proceedings", ""),
            (W, "removal proceeding", ""),
            (W, "expedited removal", ""),
            (W, "removable alien", ""),
            (W, "fugitive alien", "ICE fugitive operations"),
            (W, "immigration hold", ""),
            (W, "immigration detainer", ""),
            (W, "ICE hold", ""),
            (W, "I 247", "ICE detainer form I-247"),
            (W, "I 247a", "ICE detainer form I-247A"),
            (W, "illegal reentry", ""),
            (W, "illegal re entry", ""),
            (W, "8 USC 1325", "improper entry"),
            (W, "8 USC 1326", "reentry after removal"),
            (W, "USCIS", "U.S. Citizenship and Immigration Services"),
            (W, "inmigracion", "Spanish"),
            (W, "inmigración", "Spanish"),
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
        "name": gettext_noop("Reproductive care"),
        "kind": "concern",
        "priority": 20,
        "flags": REPRODUCTIVE_CARE,
        "description": gettext_noop(
            "Abortion and other reproductive health care, including searches about a "
            "pregnancy loss."
        ),
        "examples": "abortion\nplanned parenthood\nself-managed abortion\nmiscarriage",
        "limits": gettext_noop(
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
            (W, "pregnancy loss", ""),
            (W, "terminated her pregnancy", ""),
            (W, "ended her pregnancy", ""),
            (W, "abortifacient", ""),
        ],
    },
    {
        "slug": "protest",
        "name": gettext_noop("Protest or First Amendment activity"),
        "kind": "concern",
        "priority": 30,
        "flags": PROTEST,
        "description": gettext_noop(
            "Protests, rallies, demonstrations, picketing and other speech or assembly."
        ),
        "examples": "protest\nprotester vehicle\nrally\nfirst amendment\nfree speech event",
        "limits": gettext_noop(
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
            (W, "picketer", ""),
            (W, "picketers", ""),
            (W, "protesting", ""),
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
        "name": gettext_noop("Homicide"),
        "kind": "offense",
        "priority": 100,
        "flags": 0,
        "description": gettext_noop("Murder, manslaughter and death investigations."),
        "examples": "homicide\nhomicide suspect\nattempted murder\n187 PC",
        "limits": gettext_noop(
            'Statutes: California Penal Code 187 (also "664/187", attempted; "187" typed alone '
            "or before words counts too) and Texas Penal Code 19.02-19.04, next to a code word."
        ),
        "patterns": [
            (W, "homicide", ""),
            (W, "homicides", ""),
            (W, "murder", ""),
            (W, "murdered", ""),
            (W, "manslaughter", ""),
            (W, "death investigation", ""),
            (W, "suspicious death", ""),
            *_misspelt("homicide", "homocide", "homicde"),
            (R, r"^187(?: [a-z]+)*$", "California Penal Code 187 alone or before words"),
            _statute("CA Penal Code", "187"),
            _statute("TX Penal Code", "19.02", "19.03", "19.04"),
        ],
    },
    {
        "slug": "kidnapping",
        "name": gettext_noop("Kidnapping and abduction"),
        "kind": "offense",
        "priority": 105,
        "flags": 0,
        "description": gettext_noop(
            "Kidnapping, abduction, custodial interference, hostage taking."
        ),
        "examples": "kidnapping\nchild abduction\ncustodial interference\n207 PC",
        "limits": gettext_noop(
            "Statutes: California Penal Code 207, 209, 278, 278.5 and Texas Penal Code 20.03, "
            "20.04, next to a code word."
        ),
        "patterns": [
            (W, "kidnap", ""),
            (W, "kidnapping", ""),
            (W, "kidnapped", ""),
            (W, "abduction", ""),
            (W, "abducted", ""),
            (W, "custodial interference", ""),
            (W, "custody interference", ""),
            (W, "hostage", ""),
            _statute("CA Penal Code", "207", "209", "278", "278.5"),
            _statute("TX Penal Code", "20.03", "20.04"),
        ],
    },
    {
        "slug": "sex-offense-trafficking",
        "name": gettext_noop("Sex offense and human trafficking"),
        "kind": "offense",
        "priority": 110,
        "flags": 0,
        "description": gettext_noop(
            "Sexual assault, child exploitation, human and sex trafficking, prostitution. Human "
            "or alien smuggling also carries the immigration flag."
        ),
        "examples": "sexual assault\nhuman trafficking\nICAC\nhuman smuggling",
        "limits": gettext_noop(
            '"Trafficking" alone is not matched: it is as often about drugs. Statutes: '
            "California Penal Code 261, 288, 290, 311.11, Texas Penal Code 22.011 and Florida "
            "Statutes 794.011, next to a code word."
        ),
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
            _statute("CA Penal Code", "261", "288", "290", "311.11"),
            _statute("TX Penal Code", "22.011"),
            _statute("FL Statutes", "794.011"),
        ],
    },
    {
        "slug": "weapons",
        "name": gettext_noop("Shooting and weapons"),
        "kind": "offense",
        "priority": 115,
        "flags": 0,
        "description": gettext_noop("Shootings, shots fired, firearms and other weapons offenses."),
        "examples": "shooting\nshots fired\nADW\nfelon in possession of a firearm\n29800 PC",
        "limits": gettext_noop(
            "Statutes: California Penal Code 246, 417, 12020, 25400, 25850, 29800, Texas Penal "
            "Code 46.02, 46.04 and Florida Statutes 790.01, 790.23, next to a code word."
        ),
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
            _statute("CA Penal Code", "246", "417", "12020", "25400", "25850", "29800"),
            _statute("TX Penal Code", "46.02", "46.04"),
            _statute("FL Statutes", "790.01", "790.23"),
        ],
    },
    {
        "slug": "robbery",
        "name": gettext_noop("Robbery and carjacking"),
        "kind": "offense",
        "priority": 120,
        "flags": 0,
        "description": gettext_noop("Robbery, armed robbery and carjacking."),
        "examples": "robbery\narmed robbery\ncarjacking\n211 PC",
        "limits": gettext_noop(
            'Statutes: California Penal Code 211 ("211" alone or before words counts '
            "too), 215, Texas Penal Code 29.02, 29.03 and Florida Statutes 812.13, next to a "
            "code word."
        ),
        "patterns": [
            (W, "robbery", ""),
            (W, "robberies", ""),
            (W, "robbed", ""),
            (W, "rob", ""),
            (W, "carjacking", ""),
            (W, "carjacked", ""),
            (W, "strong arm", ""),
            (R, r"^211(?: [a-z]+)*$", "California Penal Code 211 alone or before words"),
            _statute("CA Penal Code", "211", "215"),
            _statute("TX Penal Code", "29.02", "29.03"),
            _statute("FL Statutes", "812.13"),
        ],
    },
    {
        "slug": "assault",
        "name": gettext_noop("Assault and crimes against persons"),
        "kind": "offense",
        "priority": 125,
        "flags": 0,
        "description": gettext_noop(
            "Assault, battery, domestic violence, threats, stalking and other crimes against "
            'persons, including reasons that only say "person crime".'
        ),
        "examples": (
            "assault\ndomestic violence\nperson crime\nfelony person crime\nVRO\n273.5 PC"
        ),
        "limits": gettext_noop(
            "A restraining-order violation (VRO) is counted here with domestic violence. "
            "Statutes: California Penal Code 240, 242, 243, 245, 273.5, 422, 646.9, Texas Penal "
            "Code 22.01, 22.02 and Florida Statutes 784.021, 784.03, 784.045, next to a code "
            'word; "245" typed alone is a case number.'
        ),
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
            *_misspelt("person crime", "peron crime", "persn crime", "felony peron"),
            *_misspelt("assault", "asault", "assualt"),
            (W, "VRO", "violation of a restraining order"),
            (W, "restraining order", ""),
            (W, "protective order", ""),
            (W, "protection order", ""),
            (W, "no contact order", ""),
            _statute("CA Penal Code", "240", "242", "243", "245", "273.5", "422", "646.9"),
            _statute("TX Penal Code", "22.01", "22.02"),
            _statute("FL Statutes", "784.021", "784.03", "784.045"),
        ],
    },
    {
        "slug": "missing-person",
        "name": gettext_noop("Missing or endangered person"),
        "kind": "offense",
        "priority": 130,
        "flags": 0,
        "description": gettext_noop(
            "Missing, endangered or at-risk people, runaways, Amber and Silver alerts and "
            "welfare checks. Not crimes, but the reasons searches are most often defended with."
        ),
        "examples": "missing person\nmisper\namber alert\nrunaway\nwelfare check",
        "limits": gettext_noop(
            "A welfare check can hide another purpose; the reason as written is counted."
        ),
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
            (W, "well check", ""),
            (W, "wellness check", ""),
            (W, "well being check", ""),
            (W, "wellbeing check", ""),
        ],
    },
    {
        "slug": "warrant",
        "name": gettext_noop("Warrant or wanted person"),
        "kind": "offense",
        "priority": 140,
        "flags": 0,
        "description": gettext_noop(
            "Arrest warrants, wanted people, fugitives, parole or probation violators."
        ),
        "examples": "warrant\nwanted subject\nfugitive\nparole violation\nWarratn\nwarrantservice",
        "limits": gettext_noop(
            '"ICE WARRANT" is counted as immigration, which comes first; an administrative '
            "immigration warrant is not an arrest warrant. Misspellings seen in real audits "
            "are matched (Warratn, wrrant, warrent, Wanter person); others are not."
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
            *_misspelt(
                "warrant", "warratn", "wrrant", "warrent", "warrents", "warant", "warrnt", "warrat"
            ),
            *_misspelt("warrant service", "warrantservice", "warrant svc"),
            *_misspelt("wanted", "wanter", "wnated", "wantd"),
        ],
    },
    {
        "slug": "burglary",
        "name": gettext_noop("Burglary"),
        "kind": "offense",
        "priority": 150,
        "flags": 0,
        "description": gettext_noop("Burglary, breaking and entering, home invasion, car prowls."),
        "examples": "burglary\nburg\nB&E\ncar prowl\n459 PC",
        "limits": gettext_noop(
            'Statutes: California Penal Code 459 ("459" alone or before words counts '
            "too), 460, Texas Penal Code 30.02 and Florida Statutes 810.02, next to a code "
            "word."
        ),
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
            (W, "B and E", "B&E"),
            *_misspelt("burglary", "burgulary", "burglery", "buglary"),
            (R, r"^459(?: [a-z]+)*$", "California Penal Code 459 alone or before words"),
            _statute("CA Penal Code", "459", "460"),
            _statute("TX Penal Code", "30.02"),
            _statute("FL Statutes", "810.02"),
        ],
    },
    {
        "slug": "stolen-vehicle",
        "name": gettext_noop("Stolen vehicle or plate"),
        "kind": "offense",
        "priority": 160,
        "flags": 0,
        "description": gettext_noop(
            "Stolen vehicles and plates, unauthorized use of a vehicle, recovered vehicles."
        ),
        "examples": "stolen vehicle\nUUV\nstolen plate\nauto theft\nstolen [plate]\n10851 VC",
        "limits": gettext_noop(
            'A scrubbed plate reads "plate", so "stolen [plate]" counts as a stolen plate. '
            '"10851" counts anywhere; Texas Penal Code 31.07 needs a code word.'
        ),
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
            (W, "vehicle stolen", ""),
            (W, "veh stolen", ""),
            (W, "car stolen", ""),
            (W, "plate stolen", ""),
            (W, "plates stolen", ""),
            (W, "GTA", "grand theft auto"),
            (R, r"\buuv\w*", "UUV with letters after it (a plural, a key held down)"),
            _statute("CA Vehicle Code", "10851"),
            _statute("TX Penal Code", "31.07"),
        ],
    },
    {
        "slug": "theft-fraud",
        "name": gettext_noop("Theft, fraud and property crime"),
        "kind": "offense",
        "priority": 170,
        "flags": 0,
        "description": gettext_noop(
            "Theft, shoplifting, fraud, forgery, vandalism, arson and other property crime, "
            'including reasons that only say "property crime".'
        ),
        "examples": (
            "theft\nshoplifting\ninvoice fraud\nproperty crime\ncatalytic converter\n"
            "suspect stole credit card\n484 PC"
        ),
        "limits": gettext_noop(
            'A reason that is only "property" reads as Eugene\'s "Property Crime"; "lost" or '
            '"found property" is not matched. Statutes: California Penal Code 451, 470, 476, '
            "484, 487, 488, 496, 503, 530.5, 594, 602, Texas Penal Code 28.03, 31.03, 32.21, "
            "32.51 and Florida Statutes 806.13, 812.014, 817.568, next to a code word."
        ),
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
            (W, "stole", ""),
            (W, "steal", ""),
            (W, "steals", ""),
            (W, "stealing", ""),
            (W, "shoplifted", ""),
            (W, "shoplift", ""),
            (W, "credit card", ""),
            (W, "debit card", ""),
            (W, "fraudulent", ""),
            (E, "property", "Property Crime, cut short"),
            (E, "propert", "Property Crime, cut short"),
            *_misspelt("property crime", "proeprty crime", "propery crime", "porperty crime"),
            _statute(
                "CA Penal Code",
                *("451", "470", "476", "484", "487", "488", "496", "503", "530.5", "594", "602"),
            ),
            _statute("TX Penal Code", "28.03", "31.03", "32.21", "32.51"),
            _statute("FL Statutes", "806.13", "812.014", "817.568"),
        ],
    },
    {
        "slug": "narcotics",
        "name": gettext_noop("Narcotics"),
        "kind": "offense",
        "priority": 180,
        "flags": 0,
        "description": gettext_noop("Drug possession, sales and trafficking, overdoses."),
        "examples": "narcotics\ndrug trafficking\nfentanyl\nnarc\n11377 H&S",
        "limits": gettext_noop(
            '"Ice" as a name for methamphetamine is counted as immigration (see there). '
            "Statutes: California Health and Safety Code 11350-11379 and 11550, Texas Health and "
            "Safety Code 481.112-481.121 and Florida Statutes 893.13, 893.135, next to a code "
            'word ("H&S", "HS", "F.S." ...).'
        ),
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
            *_misspelt("narcotics", "narc", "narcs", "narco", "narcos"),
            (W, "dope", ""),
            # Two patterns: one would not fit the 300 characters of a pattern.
            _statute("CA Health and Safety Code", "11350", "11351", "11352", "11357", "11359"),
            _statute("CA Health and Safety Code", "11360", "11364", "11366", "11377", "11378"),
            _statute("CA Health and Safety Code", "11379", "11550"),
            _statute("TX Health and Safety Code", "481.112", "481.115", "481.121"),
            _statute("FL Statutes", "893.13", "893.135"),
        ],
    },
    {
        "slug": "traffic",
        "name": gettext_noop("Hit and run and traffic"),
        "kind": "offense",
        "priority": 190,
        "flags": 0,
        "description": gettext_noop(
            "Hit and run, impaired or reckless driving, eluding, crashes and traffic offenses."
        ),
        "examples": (
            "hit and run\nhit & run\nDUII / reckless driving\nexpired license\nFlee Elude\n"
            "DWLSR\n23152 VC"
        ),
        "limits": gettext_noop(
            "Fleeing or eluding police is counted here, with pursuits. DWLS/DWLSR: driving while "
            "license suspended or revoked. Statutes: California Vehicle Code 2800.1, 2800.2, "
            "14601, 20001, 20002, 23152, 23153, Texas Penal Code 38.04, 49.04 and Florida "
            "Statutes 316.027, 316.061, 316.193, 322.34, next to a code word."
        ),
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
            (W, "flee", ""),
            (W, "flees", ""),
            (W, "fled", ""),
            (W, "elude", ""),
            (W, "eluded", ""),
            (W, "accident", ""),
            (W, "abandoned vehicle", ""),
            (W, "driving while suspended", ""),
            (W, "driving while license suspended", ""),
            (W, "DWLS", "driving while license suspended"),
            (W, "DWLSR", "driving while license suspended or revoked"),
            (W, "DWLS R", "driving while license suspended or revoked"),
            (W, "DWLR", "driving while license revoked"),
            (W, "DWS", "driving while suspended"),
            (W, "DUS", "driving under suspension"),
            _statute(
                "CA Vehicle Code", "2800.1", "2800.2", "14601", "20001", "20002", "23152", "23153"
            ),
            _statute("TX Penal Code", "38.04", "49.04"),
            _statute("FL Statutes", "316.027", "316.061", "316.193", "322.34"),
        ],
    },
    # --- catch-all buckets ---------------------------------------------------------------
    {
        "slug": "blank",
        "name": gettext_noop("Blank"),
        "kind": "other",
        "priority": 470,
        "flags": BLANK,
        "description": gettext_noop('No reason given: empty, only punctuation, or "n/a", "none".'),
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
        "name": gettext_noop("Case number only"),
        "kind": "other",
        "priority": 480,
        "flags": CASE_NUMBER_ONLY,
        "description": gettext_noop(
            'The reason is only a case or incident number, with at most a word like "case" '
            'or "incident": it says nothing about why the search was run.'
        ),
        "examples": "25-12345\n#2025-001234\ncase 123\nincident 25-004411",
        "limits": gettext_noop(
            "A number without a case word needs three digits or more in all. A bare "
            "plate-like string of letters then digits cannot be told from a case number; the "
            "scrubber's markers ([plate], [name], ...) may stand beside the number. A statute "
            "number counts as its offense only next to a code word (PC, penal, VC, HS, H&S, "
            'F.S., §), so "245", "484" or "31.03" typed alone stay case numbers. Only '
            "California's 459, 211 and 187, which officers type as the offense's name, are read "
            'without one, when they open the reason and only words follow ("459 suspect '
            'vehicle", not "459-22"); and 10851 anywhere.'
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
            (
                R,
                r"^(?=(?:\D*\d){3})(?:(?:case|incident|inc|report|cad|no|number)\s)*"
                r"(?:[a-z]{0,3}\d+|plate|phone|email|dob|name)"
                r"(?:\s(?:[a-z]{0,3}\d+|plate|phone|email|dob|name))*$",
                "a case number beside the scrubber's markers",
            ),
        ],
    },
    {
        "slug": "vague",
        "name": gettext_noop("Vague"),
        "kind": "other",
        "priority": 500,
        "flags": VAGUE,
        "description": gettext_noop(
            'Reasons that name no offense or purpose: "investigation", "inv", "crime", '
            '"test", "law enforcement purpose", "suspicious vehicle", an agency\'s initials, '
            "or only a scrubbed plate, name or phone number. A reason that also names an "
            'offense or purpose is counted there instead ("suspect stole a credit card" is '
            "theft)."
        ),
        "examples": (
            "investigation\ninv\ninv.\ncrime\ntest\nsuspicious vehicle\npolice business\n"
            "[plate]\nLCSO\nBOL"
        ),
        "limits": gettext_noop(
            '"inv" is matched as a word only (never invoice, involved or inventory). Common '
            "misspellings of investigation are matched (investagation, investagtion, "
            "invesigation, ivestigations); others are not. An agency's initials alone count "
            "when they end in SO, PD or SD. The scrubber's markers read as words (plate, "
            "phone, email, dob, name) and say nothing about why. A vague reason whose offense "
            "type is mapped to an offense family takes that family as its category and keeps "
            "the vague flag. Words no rule knows (a surname, an unit's code such as ST2) fall "
            "in Other for review, not here."
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
            (R, r"\bi(?:nv|v)[a-z]{0,5}(?:tig|iga|sig|ga|tg|sg|gt)\w*", "misspelled investigation"),
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
            *_misspelt("police", "policce", "pollice", "polcie"),
            (W, "BOL", "be on the lookout"),
            (W, "be on the lookout", ""),
            (W, "lookout", ""),
            (E, "fu", "follow up"),
            (E, "f u", "follow up"),
            (W, "assist", ""),
            (W, "agency", ""),
            (W, "request", ""),
            (W, "detective", ""),
            (W, "det", "detective"),
            (W, "investigator", ""),
            (W, "officer safety", ""),
            (W, "official use", ""),
            (W, "check", ""),
            (W, "area check", ""),
            (W, "report", ""),
            (W, "records request", ""),
            (W, "audit", ""),
            (W, "flock", ""),
            (W, "LPR", "license plate reader"),
            (W, "NCIC", "the national crime database"),
            (W, "hotlist", ""),
            (W, "alert", ""),
            (W, "alerts", ""),
            (W, "hit", ""),
            (W, "hits", ""),
            (W, "vehicle", ""),
            (W, "veh", ""),
            (W, "susp", "suspect, suspicious"),
            (W, "vehicle of interest", ""),
            (W, "VOI", "vehicle of interest"),
            (W, "demo", ""),
            (W, "research", ""),
            (W, "canvass", ""),
            (W, "canvas", ""),
            (W, "dragnet", ""),
            (W, "service call", ""),
            (W, "LP", "license plate"),
            (W, "license plate", ""),
            (W, "tag", ""),
            (W, "plate", "also the scrubber's [plate]"),
            (W, "phone", "also the scrubber's [phone]"),
            (W, "email", "also the scrubber's [email]"),
            (W, "dob", "also the scrubber's [dob]"),
            (W, "name", "also the scrubber's [name]"),
            (R, r"^[a-z]{1,4}(?:so|pd|sd)$", "another agency's initials alone (LCSO, KCSO)"),
        ],
    },
    {
        "slug": "other",
        "name": gettext_noop("Other (unclassified)"),
        "kind": "other",
        "priority": 1000,
        "flags": 0,
        "description": gettext_noop("Reasons no rule recognizes. Reviewed to improve the rules."),
        "examples": "inmate transport\ncivil standby\nST2\nBusqueda de vehiculo robado",
        "limits": gettext_noop(
            "Includes reasons in other languages, heavy misspellings, unknown codes, and "
            "purposes no family covers (civil standby, lost or found property)."
        ),
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


# Typed as the current models: the data migration passes its historical ones, of the same fields.
def default_rules_apply(
    *,
    category_model: type[ReasonCategory],
    pattern_model: type[ReasonPattern],
    offense_model: type[OffenseType],
    ruleset_model: type[RuleSet],
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
