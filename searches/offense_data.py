"""Offense types as audits write them, mapped to the slug of an offense family.

Two vocabularies are seen: NIBRS-like names (older exports and other vendors), and the list
Flock's search form offers today, as it appears in the ``offenseType`` column of portal audits
and in the "Top Offense Types" panel of transparency pages (``Hit and Run/Car Accident``,
``Motor Vehicle Theft/Stolen``, ...). Audits join several types with ", ", so a name containing
a comma would appear here in its parts; none of Flock's current names contains one.

``searches.rules_data.default_rules_apply`` creates the missing ones (``load_reason_rules``
on an existing database) and maps those still unmapped. Types with no fitting family are left
out on purpose (see ``WITHOUT_FAMILY``): the importer adds them unmapped when first seen, and
clerks see them, with their searches, in the offense-type admin.
"""

from __future__ import annotations

OFFENSE_TYPES: dict[str, str] = {
    # --- Flock's current offense-type list --------------------------------------------------
    "Wanted Person (Arrest Warrant/Fugitive)": "warrant",
    "Missing/Endangered Person/Runaway": "missing-person",
    "Welfare Check": "missing-person",
    "Homicide/Death Investigation": "homicide",
    "Sex Offenses": "sex-offense-trafficking",
    "Human Trafficking": "sex-offense-trafficking",
    "Weapons Offense (Guns/Shots Fired)": "weapons",
    "Assault/Battery Offenses": "assault",
    "Assault/Battery Offenses (Domestic)": "assault",
    "Threats/Harassment": "assault",
    "Burglary/Breaking & Entering": "burglary",
    "Motor Vehicle Theft/Stolen": "stolen-vehicle",
    "Larceny/Theft Offenses": "theft-fraud",
    "Stolen Property Offenses": "theft-fraud",
    "Counterfeiting/Forgery": "theft-fraud",
    "Destruction/Damage/Vandalism of Property": "theft-fraud",
    "Drugs/Narcotics": "narcotics",
    "Hit and Run/Car Accident": "traffic",
    "Traffic Infraction": "traffic",
    "Driving Under the Influence (DUI/DWI/OWI/OVI)": "traffic",
    "Criminal Motor Vehicle Offense (incl. Road Rage/Reckless)": "traffic",
    # Fleeing and eluding is a pursuit of a vehicle; the traffic family holds vehicle offenses.
    "Obstructing the Police (Fleeing/Eluding)": "traffic",
    # --- NIBRS-like names --------------------------------------------------------------------
    "Warrant": "warrant",
    "Fugitive": "warrant",
    "Missing Person": "missing-person",
    "Missing Person (Endangered)": "missing-person",
    "Endangered Person": "missing-person",
    "Runaway": "missing-person",
    "Amber Alert": "missing-person",
    "Silver Alert": "missing-person",
    "Motor Vehicle Theft": "stolen-vehicle",
    "Stolen Vehicle": "stolen-vehicle",
    "Stolen License Plate": "stolen-vehicle",
    "Murder and Nonnegligent Manslaughter": "homicide",
    "Negligent Manslaughter": "homicide",
    "Homicide": "homicide",
    "Justifiable Homicide": "homicide",
    "Kidnapping/Abduction": "kidnapping",
    "Rape": "sex-offense-trafficking",
    "Sodomy": "sex-offense-trafficking",
    "Sexual Assault With An Object": "sex-offense-trafficking",
    "Fondling": "sex-offense-trafficking",
    "Incest": "sex-offense-trafficking",
    "Statutory Rape": "sex-offense-trafficking",
    "Commercial Sex Acts": "sex-offense-trafficking",
    "Involuntary Servitude": "sex-offense-trafficking",
    "Prostitution": "sex-offense-trafficking",
    "Pornography/Obscene Material": "sex-offense-trafficking",
    "Weapon Law Violations": "weapons",
    "Robbery": "robbery",
    "Carjacking": "robbery",
    "Aggravated Assault": "assault",
    "Simple Assault": "assault",
    "Intimidation": "assault",
    "Domestic Violence": "assault",
    "Burglary": "burglary",
    "Theft From Motor Vehicle": "theft-fraud",
    "Theft of Motor Vehicle Parts or Accessories": "theft-fraud",
    "Shoplifting": "theft-fraud",
    "Theft From Building": "theft-fraud",
    "Theft From Coin-Operated Machine or Device": "theft-fraud",
    "Pocket-picking": "theft-fraud",
    "Purse-snatching": "theft-fraud",
    "All Other Larceny": "theft-fraud",
    "False Pretenses/Swindle/Confidence Game": "theft-fraud",
    "Credit Card/Automated Teller Machine Fraud": "theft-fraud",
    "Identity Theft": "theft-fraud",
    "Wire Fraud": "theft-fraud",
    "Welfare Fraud": "theft-fraud",
    "Hacking/Computer Invasion": "theft-fraud",
    "Embezzlement": "theft-fraud",
    "Extortion/Blackmail": "theft-fraud",
    "Bribery": "theft-fraud",
    "Arson": "theft-fraud",
    "Drug/Narcotic Violations": "narcotics",
    "Drug Equipment Violations": "narcotics",
    "Hit and Run": "traffic",
    "Driving Under the Influence": "traffic",
    "Traffic Offense": "traffic",
}

# Flock offense types seen in real audits that name no offense family of the rules: a purpose
# that is not an offense ("Property Recovery (Civil Enforcement)" is repossession), or an
# offense no family covers. Left for clerks to map, or to add a family for.
WITHOUT_FAMILY: tuple[str, ...] = (
    "Other",
    "Property Recovery (Civil Enforcement)",
    "Animal Offenses (cruelty/neglect)",
    "Disorderly Conduct/Disturbance",
    "Disturbing Public Peace/Riot",
    "Alcohol Offenses (Non-DUI)",
)
