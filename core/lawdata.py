"""What state laws say about ALPR use, sharing and retention, kept as data.

Each entry matches the fields of ``StateLawProfile``. Only states whose ALPR statute could be
checked against its text or the legislature's own record are listed; a state missing here has no
profile rather than a guessed one. Retention limits are in days: a statute that counts in months
is converted at 30.44 days a month and the summary keeps the statute's own words. Clerks may edit
a profile in the admin: the data migration and ``load_state_laws`` only create missing profiles,
and only ``load_state_laws --update`` overwrites them (with an audit row).

Summaries are short, neutral paraphrases, not legal advice; each links to the official text.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.translation import gettext_noop

from core.models import StateLawProfile
from core.services import state_law_profile_save
from core.signals import state_laws_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

LAST_REVIEWED = dt.date(2026, 11, 22)

PROFILES: list[dict[str, Any]] = [
    {
        "state": "AR",
        "statute_citation": "Ark. Code Ann. §§ 12-12-1801 to 12-12-1808 (Act 1491 of 2013)",
        "statute_url": (
            "https://codes.findlaw.com/ar/title-12-law-enforcement-emergency-management-and-"
            "military-affairs/ar-code-sect-12-12-1804/"
        ),
        "summary": gettext_noop(
            "The Automatic License Plate Reader System Act allows ALPR use only for listed "
            "purposes such as law enforcement, parking enforcement and controlling access to "
            "secured areas. Captured plate data may not be used or shared for any other purpose "
            "and may not be kept more than 150 days unless it is part of an ongoing "
            "investigation. Government users may not sell, trade or exchange the data; law "
            "enforcement may share data that shows evidence of an offense with other law "
            "enforcement agencies. Users publish usage statistics every six months. (Arkansas "
            "publishes its code through a commercial host; the link is a public mirror.)"
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 150,
        "effective_date": dt.date(2013, 8, 16),
    },
    {
        "state": "CA",
        "statute_citation": (
            "Cal. Civ. Code §§ 1798.90.5 to 1798.90.55 (SB 34, 2015); sharing: § 1798.90.55(b)"
        ),
        "statute_url": (
            "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml"
            "?lawCode=CIV&sectionNum=1798.90.55"
        ),
        "summary": gettext_noop(
            "ALPR operators and end-users must keep a usage and privacy policy, log every access "
            "and protect the data. A public agency may not sell, share or transfer ALPR "
            "information except to another public agency (§ 1798.90.55(b)), which the Act defines"
            " as a California state or local agency; the Attorney General's Information Bulletin "
            "2023-DLE-06 reads this as forbidding sharing with out-of-state and federal agencies,"
            " including through vendor databases. An agency must take public comment at a regular"
            " meeting before starting an ALPR program. The Act sets no retention period for local"
            " agencies (the Highway Patrol is held to 60 days by Vehicle Code § 2413). The "
            "California Values Act (Gov. Code § 7284.6) separately bars using local resources for"
            " immigration enforcement."
        ),
        "forbidden_uses": ["immigration"],
        "forbids_out_of_state_sharing": True,
        "forbids_federal_sharing": True,
        "requires_written_declaration": False,
        "retention_limit_days": None,
        "effective_date": dt.date(2016, 1, 1),
    },
    {
        "state": "FL",
        "statute_citation": "Fla. Stat. §§ 316.0777 and 316.0778",
        "statute_url": (
            "https://www.leg.state.fl.us/statutes/index.cfm?App_mode=Display_Statute"
            "&URL=0300-0399/0316/Sections/0316.0778.html"
        ),
        "summary": gettext_noop(
            "Images from ALPR systems and personal identifying information in data generated "
            "from them are confidential and exempt from Florida's public records law, and may be "
            "disclosed to criminal justice agencies for their official duties. Retention is set "
            "not by statute but by a Department of State schedule, which must fix a maximum "
            "period. The Department of Transportation may allow ALPRs on state highway "
            "rights-of-way at a law enforcement agency's request."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": None,
        "effective_date": None,
    },
    {
        "state": "GA",
        "statute_citation": "O.C.G.A. § 35-1-22",
        "statute_url": "https://law.counselstack.com/statute/ga/35-1-22",
        "summary": gettext_noop(
            "Law enforcement agencies may collect captured license plate data, which may be "
            "accessed only for a law enforcement purpose and must be destroyed within 30 months "
            "of collection unless it concerns a toll violation or is held for a law enforcement "
            "purpose. Agencies may share the data with other law enforcement agencies, a term "
            "the section defines to include federal agencies, for law enforcement purposes. "
            "Knowing misuse is a crime and the data is exempt from public disclosure. (Georgia "
            "publishes its code through a commercial host; the link is a public mirror.)"
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 913,
        "effective_date": dt.date(2018, 7, 1),
    },
    {
        "state": "IL",
        "statute_citation": "625 ILCS 5/2-130 (Public Act 103-0540, HB 3326)",
        "statute_url": "https://www.ilga.gov/legislation/ilcs/fulltext.asp?DocName=062500050K2-130",
        "summary": gettext_noop(
            "No ALPR user in Illinois may sell, share, allow access to or transfer ALPR "
            "information to any state or local jurisdiction to investigate or enforce a law that "
            "denies or interferes with the right to reproductive or other lawful health care, or "
            "that permits detaining or investigating a person based on immigration status. "
            "Before sharing with an out-of-state law enforcement agency, an Illinois user must "
            "obtain that agency's written declaration that the data will not be used in that "
            "way; without one it may not share. The section also covers privately owned readers "
            "whose data is shared with law enforcement. It sets no retention limit and does not "
            "forbid out-of-state sharing outright."
        ),
        "forbidden_uses": ["immigration", "reproductive_care"],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": True,
        "retention_limit_days": None,
        "effective_date": dt.date(2024, 1, 1),
    },
    {
        "state": "MD",
        "statute_citation": "Md. Code, Public Safety § 3-509; General Provisions § 4-326",
        "statute_url": (
            "https://mgaleg.maryland.gov/mgawebsite/Laws/StatuteText"
            "?article=gps&section=3-509&enactments=false"
        ),
        "summary": gettext_noop(
            "Law enforcement agencies may use captured plate data only for a legitimate law "
            "enforcement purpose: investigating, detecting or analysing a crime or a vehicle law "
            "violation, or terrorist, missing or endangered person searches and alerts. Captured "
            "plate data is closed to public inspection. Since 2024 (HB 1081) historical data, "
            "including data a vendor stores in the cloud, belongs to the agency: it may not be "
            "sold, a vendor may reach it only when the agency expressly asks, and it may not be "
            "uploaded to other agencies or entities in or out of Maryland except the Maryland "
            "Coordination and Analysis Center."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": None,
        "effective_date": None,
    },
    {
        "state": "ME",
        "statute_citation": "29-A M.R.S. § 2117-A",
        "statute_url": "https://legislature.maine.gov/statutes/29-A/title29-Asec2117-A.html",
        "summary": gettext_noop(
            "ALPR use is limited to the Department of Transportation and to state, county and "
            "municipal law enforcement agencies for their duties; other use is a crime. "
            "Collected data is confidential, may be used only for law enforcement purposes, and "
            "must be purged after 21 days unless it is part of an ongoing investigation."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 21,
        "effective_date": None,
    },
    {
        "state": "MN",
        "statute_citation": "Minn. Stat. § 13.824",
        "statute_url": "https://www.revisor.mn.gov/statutes/cite/13.824",
        "summary": gettext_noop(
            "ALPR data may hold only plate numbers, date, time and location, and pictures of "
            "plates, vehicles and their surroundings. It is private or nonpublic data, may be "
            "matched only against the state license plate file except in an active criminal "
            "investigation, and must be destroyed within 60 days unless it is active criminal "
            "investigative data. Agencies log every use, may share data not tied to an active "
            "investigation with another law enforcement agency only on a documented request, "
            "and undergo an independent audit every two years. A central state repository is "
            "forbidden unless a law authorizes it."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 60,
        "effective_date": None,
    },
    {
        "state": "MT",
        "statute_citation": "Mont. Code Ann. §§ 46-5-117 and 46-5-118",
        "statute_url": (
            "https://archive.legmt.gov/bills/2023/mca/title_0460/chapter_0050/part_0010/"
            "section_0180/0460-0050-0010-0180.html"
        ),
        "summary": gettext_noop(
            "Law enforcement may use ALPRs only to identify vehicles that are stolen, linked to "
            "wanted, missing or endangered persons or to outstanding warrants, in violation of "
            "commercial trucking rules, part of case-specific investigative surveillance, "
            "involved in a homicide, shooting or other major crime, or near a recent crime; a "
            "match alone is not reasonable suspicion for a stop. Captured plate data may not be "
            "kept more than 90 days unless preserved on a sworn request or under a warrant. "
            "Agencies must adopt written policies and audit their use."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 90,
        "effective_date": dt.date(2017, 10, 1),
    },
    {
        "state": "NC",
        "statute_citation": "N.C. Gen. Stat. §§ 20-183.30 to 20-183.32A",
        "statute_url": (
            "https://www.ncleg.gov/EnactedLegislation/Statutes/HTML/BySection/Chapter_20/"
            "GS_20-183.32.html"
        ),
        "summary": gettext_noop(
            "An agency must adopt a written policy (databases, retention, sharing with other "
            "agencies, training, oversight, security and audits) before using ALPRs. Data may be "
            "obtained, accessed, kept or disclosed only for law enforcement purposes and not to "
            "enforce traffic violations. Captured plate data may not be kept more than 90 days "
            "unless preserved on a sworn preservation request or under a state or federal "
            "warrant. Agencies with readers on state right-of-way report yearly to the "
            "legislature."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 90,
        "effective_date": None,
    },
    {
        "state": "NE",
        "statute_citation": "Neb. Rev. Stat. §§ 60-3201 and following (LB 93, 2018)",
        "statute_url": "https://nebraskalegislature.gov/laws/statutes.php?statute=60-3204",
        "summary": gettext_noop(
            "The Automatic License Plate Reader Privacy Act forbids government ALPR use except "
            "for listed purposes: law enforcement identification of vehicles with violations, "
            "warrants, missing persons, theft or relevance to an ongoing criminal investigation; "
            "parking enforcement; access to secured areas; toll collection; and weigh stations. "
            "Captured plate data may not be kept more than 180 days unless it is evidence, under "
            "a preservation request, or subject to a warrant, subpoena or court order. Users "
            "post use and privacy policies and report yearly to the Nebraska Crime Commission."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 180,
        "effective_date": None,
    },
    {
        "state": "NH",
        "statute_citation": "N.H. Rev. Stat. § 261:75-b",
        "statute_url": "https://www.gencourt.state.nh.us/rsa/html/XXI/261/261-75-b.htm",
        "summary": gettext_noop(
            "Only state, county and local law enforcement may use number plate readers, on "
            "devices registered with the Department of Safety, and only to identify listed kinds "
            "of vehicles (stolen; wanted, missing or endangered persons; warrants; suspended "
            "licenses or registrations; commercial trucking; case-specific investigations; major "
            "crimes; vehicles near a recent crime). A match alone is not grounds for a stop. "
            "Records of plates read must be purged within three minutes unless they match a "
            "list, so the limit is recorded here as zero days. The definition covers readers on "
            "vehicles operated by an officer."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 0,
        "effective_date": None,
    },
    {
        "state": "OR",
        "statute_citation": "Oregon Laws 2026, SB 1516, sections 3 to 9",
        "statute_url": "https://olis.oregonlegislature.gov/liz/2026R1/Measures/Overview/SB1516",
        "summary": gettext_noop(
            "Law enforcement agencies may use ALPRs only for authorized purposes, must adopt "
            "policies for use and vendor contracts, and must log and justify every search. "
            "Captured plate data not tied to an ongoing criminal investigation or court "
            "proceeding must be deleted within 30 days. Sharing with non-Oregon agencies is "
            "limited to narrow law enforcement purposes without unrestricted or ongoing access. "
            "Vendors may not use, sell or disclose the data and can be sued for misuse. Oregon's "
            "sanctuary law (ORS 181A.820) separately bars using agency resources for federal "
            "immigration enforcement."
        ),
        "forbidden_uses": ["immigration"],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 30,
        "effective_date": dt.date(2026, 3, 31),
    },
    {
        "state": "TN",
        "statute_citation": "Tenn. Code Ann. § 55-10-302 (2014 Pub. Ch. 625)",
        "statute_url": "https://publications.tnsosfiles.com/acts/108/pub/pc0625.pdf",
        "summary": gettext_noop(
            "Captured plate data collected or kept by a state or local governmental entity "
            "through a fixed automated license plate recognition system may not be stored for "
            "more than 90 days unless it is part of an ongoing investigation."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 90,
        "effective_date": dt.date(2014, 7, 1),
    },
    {
        "state": "UT",
        "statute_citation": "Utah Code §§ 41-6a-2001 and following",
        "statute_url": "https://le.utah.gov/xcode/Title41/Chapter6A/41-6a-S2004.html",
        "summary": gettext_noop(
            "The Automatic License Plate Reader System Act limits ALPR use to listed purposes. "
            "Captured plate data held by a governmental entity is a protected record, may not be "
            "sold or used or shared for any other purpose, and may not be kept more than nine "
            "months except under a preservation request, a disclosure order or a warrant. "
            "Aggregate data without plate numbers may be kept for planning."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 274,
        "effective_date": None,
    },
    {
        "state": "VA",
        "statute_citation": "Va. Code § 2.2-5517 (HB 2724, 2025)",
        "statute_url": "https://law.lis.virginia.gov/vacode/title2.2/chapter55.6/section2.2-5517/",
        "summary": gettext_noop(
            "Law enforcement may use ALPR systems approved by the Department of General "
            "Services only in criminal investigations with reasonable suspicion of a crime, in "
            "active missing or endangered person and human trafficking investigations, and to "
            "receive alerts on missing or endangered persons, outstanding warrants, human "
            "trafficking, stolen vehicles or stolen plates. Data must be purged after 21 days "
            "unless it is part of an investigation, and a locality may set a shorter period. "
            "Misuse is a crime; agencies report yearly and the State Police publish statewide "
            "figures from April 2027."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 21,
        "effective_date": dt.date(2025, 7, 1),
    },
    {
        "state": "VT",
        "statute_citation": "23 V.S.A. §§ 1607 and 1608",
        "statute_url": "https://legislature.vermont.gov/statutes/section/23/015/01607",
        "summary": gettext_noop(
            "ALPR data may be accessed only for a legitimate law enforcement purpose: "
            "investigating or enforcing a crime or a commercial motor vehicle violation, a "
            "defense against such a charge, AMBER alerts, or missing or endangered person "
            "searches. Historical data is held on a statewide server run by the Department of "
            "Public Safety, reached by logged written request, and may not be kept more than 18 "
            "months unless a court extends its preservation in 90-day steps. Use is reported "
            "yearly to the legislature."
        ),
        "forbidden_uses": [],
        "forbids_out_of_state_sharing": False,
        "forbids_federal_sharing": False,
        "requires_written_declaration": False,
        "retention_limit_days": 548,
        "effective_date": None,
    },
]

for _profile in PROFILES:
    _profile.setdefault("last_reviewed", LAST_REVIEWED)


# --- Public records laws ----------------------------------------------------------------------
# How a resident gets the audits, sharing lists and contracts at all: each state's public records
# law, its response deadline and its appeal route, checked against the statute's text (or, where
# noted, an official body's restatement of it). A state missing here has no records fields; the
# records pages then say it is not yet profiled. Deadlines count from the day after receipt.
RECORDS_LAWS: dict[str, dict[str, Any]] = {
    "AL": {
        "records_law_name": "Alabama Open Records Act",
        "records_law_citation": "Ala. Code § 36-12-40; § 36-12-44",
        "records_law_url": (
            "https://casetext.com/statute/code-of-alabama/title-36-public-officers-and-employees/"
            "chapter-12-maintenance-use-etc-of-public-property-records-etc/article-3-inspection-"
            "and-copying-of-records/section-36-12-44-public-officer-response-to-request"
        ),
        "records_deadline_days": 10,
        "records_deadline_business_days": False,
        "records_deadline_rule": gettext_noop(
            "The public officer must acknowledge a proper request within 10 days of receiving "
            "it, then fulfil or deny a standard request (under eight hours of staff time) within "
            "15 business days of the acknowledgment, extendable in 15-business-day steps by "
            "written notice. A request counts as denied if no substantive response comes within "
            "the earlier of 30 business days or 60 calendar days after the acknowledgment. The "
            "Act gives the right to residents of Alabama, and the officer may require the "
            "office's own request form; the portal's due date is the acknowledgment."
        ),
        "records_appeal_route": "",
        "records_appeal_citation": "",
        "records_appeal_url": "",
    },
    "CA": {
        "records_law_name": "California Public Records Act",
        "records_law_citation": "Cal. Gov. Code §§ 7920.000 et seq.; § 7922.535",
        "records_law_url": (
            "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml"
            "?lawCode=GOV&sectionNum=7922.535"
        ),
        "records_deadline_days": 10,
        "records_deadline_business_days": False,
        "records_deadline_rule": gettext_noop(
            "Within 10 days of receipt the agency must decide whether the request seeks "
            "disclosable records, say so with its reasons, and give the estimated date the "
            "records will be available. In unusual circumstances (records in field offices, "
            "voluminous records, consultation with another agency, compiling data or writing a "
            "program to extract it) written notice may extend this by at most 14 days."
        ),
        "records_appeal_route": gettext_noop(
            "The Act has no administrative appeal: a requester may go to court for an "
            "injunction, declaratory relief or a writ of mandate to enforce the right to inspect "
            "or receive a copy of the records."
        ),
        "records_appeal_citation": "Cal. Gov. Code § 7923.000",
        "records_appeal_url": (
            "https://leginfo.legislature.ca.gov/faces/codes_displaySection.xhtml"
            "?lawCode=GOV&sectionNum=7923.000"
        ),
    },
    "FL": {
        "records_law_name": "Florida Public Records Act",
        "records_law_citation": "Fla. Stat. ch. 119; § 119.07(1)(c)",
        "records_law_url": (
            "https://www.lawserver.com/law/state/florida/statutes/florida_statutes_119-07"
        ),
        "records_deadline_days": None,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The custodian must acknowledge a request promptly and respond in good faith. The "
            "Act sets no number of days: the only delay allowed is the reasonable time needed to "
            "retrieve the records and redact exempt parts (Tribune Co. v. Cannella, 458 So. 2d "
            "1075 (Fla. 1984)), and an unjustified delay counts as an unlawful refusal. The "
            "portal therefore computes no due date for Florida requests. (Bills filed for 2026 "
            "would add a three-business-day deadline: check whether they passed.)"
        ),
        "records_appeal_route": gettext_noop(
            "No administrative appeal: a requester may sue to enforce the Act, and the court "
            "must hear the case at once, ahead of other cases. To recover attorney's fees the "
            "requester must first give the custodian written notice of the request at least five "
            "business days before suing."
        ),
        "records_appeal_citation": "Fla. Stat. §§ 119.11, 119.12",
        "records_appeal_url": (
            "https://www.lawserver.com/law/state/florida/statutes/florida_statutes_119-11"
        ),
    },
    "GA": {
        "records_law_name": "Georgia Open Records Act",
        "records_law_citation": "O.C.G.A. §§ 50-18-70 to 50-18-77; § 50-18-71",
        "records_law_url": "http://www.gfaf.org/open-records-act/",
        "records_deadline_days": 3,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "Within three business days of receiving the request the agency must provide the "
            "records that are available, or describe them with a timeline for when they will "
            "be, and cite the law for any records it withholds."
        ),
        "records_appeal_route": gettext_noop(
            "No administrative appeal: any person may sue in superior court to enforce the "
            "Act, and the Attorney General may bring actions too; the Attorney General's office "
            "also runs an informal mediation program for complaints."
        ),
        "records_appeal_citation": "O.C.G.A. § 50-18-73",
        "records_appeal_url": (
            "https://law.justia.com/codes/georgia/2021/title-50/chapter-18/article-4/"
            "section-50-18-73/"
        ),
    },
    "IL": {
        "records_law_name": "Illinois Freedom of Information Act",
        "records_law_citation": "5 ILCS 140; 5 ILCS 140/3(d), (e)",
        "records_law_url": "https://www.ilga.gov/legislation/ilcs/ilcs3.asp?ActID=85&ChapterID=2",
        "records_deadline_days": 5,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The public body must comply with or deny the request within 5 business days after "
            "receiving it; not answering in time counts as a denial. It may extend the time by "
            "at most 5 more business days for reasons the Act lists (records stored elsewhere, "
            "a substantial number of records, an extensive search, review for exemptions, "
            "undue burden), telling the requester in writing within the first 5 days. Requests "
            "for a commercial purpose have 21 business days."
        ),
        "records_appeal_route": gettext_noop(
            "A requester who is denied may ask the Attorney General's Public Access Counselor "
            "to review the denial, in writing, within 60 days after the final denial, with a "
            "copy of the request and any answers; or may sue in circuit court."
        ),
        "records_appeal_citation": "5 ILCS 140/9.5 (Public Access Counselor); 5 ILCS 140/11",
        "records_appeal_url": (
            "https://www.ilga.gov/legislation/ilcs/ilcs3.asp?ActID=85&ChapterID=2"
        ),
    },
    "MA": {
        "records_law_name": "Massachusetts Public Records Law",
        "records_law_citation": "M.G.L. c. 66, § 10",
        "records_law_url": "https://malegislature.gov/Laws/GeneralLaws/PartI/TitleX/Chapter66",
        "records_deadline_days": 10,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The records access officer must respond without unreasonable delay and within 10 "
            "business days: provide the records, give a fee estimate and a timeframe, or deny "
            "access with the exemptions relied on."
        ),
        "records_appeal_route": gettext_noop(
            "The requester may petition the Supervisor of Records (Secretary of the "
            "Commonwealth), who decides within 10 business days; an unfavourable decision may "
            "be taken to Superior Court."
        ),
        "records_appeal_citation": "M.G.L. c. 66, § 10A",
        "records_appeal_url": ("https://malegislature.gov/Laws/GeneralLaws/PartI/TitleX/Chapter66"),
    },
    "MI": {
        "records_law_name": "Michigan Freedom of Information Act",
        "records_law_citation": "MCL 15.231 et seq.; MCL 15.235(2)",
        "records_law_url": "https://legislature.mi.gov/Laws/MCL?objectName=mcl-15-235",
        "records_deadline_days": 5,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The public body must grant, deny, or grant in part the request within 5 business "
            "days after receiving it, or issue one notice extending that time by at most 10 "
            "business days. An emailed request counts as received one business day after it "
            "was sent."
        ),
        "records_appeal_route": gettext_noop(
            "After a denial the requester may either submit a written appeal to the head of "
            "the public body that says “appeal” and gives the reasons (answered within 10 "
            "business days, extendable once by 10), or sue in circuit court within 180 days "
            "to compel disclosure."
        ),
        "records_appeal_citation": "MCL 15.240",
        "records_appeal_url": "https://legislature.mi.gov/Laws/MCL?objectName=mcl-15-240",
    },
    "MN": {
        "records_law_name": "Minnesota Government Data Practices Act",
        "records_law_citation": "Minn. Stat. ch. 13, § 13.03",
        "records_law_url": "https://www.revisor.mn.gov/statutes/cite/13.03",
        "records_deadline_days": None,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The Act sets no number of days for a member of the public: the responsible "
            "authority must have procedures so that requests are answered in an appropriate "
            "and prompt manner, and must respond within a reasonable time. The portal "
            "therefore computes no due date for Minnesota requests."
        ),
        "records_appeal_route": gettext_noop(
            "A requester may ask the Commissioner of Administration for an advisory opinion, "
            "file an expedited complaint with the Office of Administrative Hearings, or sue in "
            "district court to compel compliance."
        ),
        "records_appeal_citation": "Minn. Stat. §§ 13.072, 13.085, 13.08 subd. 4",
        "records_appeal_url": "https://www.revisor.mn.gov/statutes/cite/13.08",
    },
    "MO": {
        "records_law_name": "Missouri Sunshine Law",
        "records_law_citation": "RSMo ch. 610; § 610.023.3",
        "records_law_url": "https://revisor.mo.gov/main/OneSection.aspx?section=610.023",
        "records_deadline_days": 3,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The custodian must act on the request as soon as possible and no later than the "
            "end of the third business day after receiving it. If access is not granted at "
            "once, the custodian must explain the delay and give the earliest date and time "
            "the records will be available."
        ),
        "records_appeal_route": gettext_noop(
            "There is no administrative appeal: an aggrieved person, the Attorney General or "
            "the prosecuting attorney may seek judicial enforcement in the circuit court of the "
            "county where the public body has its principal place of business."
        ),
        "records_appeal_citation": "RSMo § 610.027",
        "records_appeal_url": "https://revisor.mo.gov/main/OneSection.aspx?section=610.027",
    },
    "NJ": {
        "records_law_name": "New Jersey Open Public Records Act (OPRA)",
        "records_law_citation": "N.J.S.A. 47:1A-1 et seq.; N.J.S.A. 47:1A-5(i)",
        "records_law_url": "https://www.nj.gov/grc/",
        "records_deadline_days": 7,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The custodian must grant or deny access within 7 business days after receiving "
            "the request, or within any further time the law allows or the requester agrees "
            "to; failing to answer in time counts as a denial."
        ),
        "records_appeal_route": gettext_noop(
            "A requester who is denied may file a complaint with the Government Records "
            "Council or bring an action in Superior Court."
        ),
        "records_appeal_citation": "N.J.S.A. 47:1A-6",
        "records_appeal_url": "https://www.nj.gov/grc/",
    },
    "OR": {
        "records_law_name": "Oregon Public Records Law",
        "records_law_citation": "ORS ch. 192; ORS 192.329",
        "records_law_url": "https://oregon.public.law/statutes/ors_192.329",
        "records_deadline_days": 5,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "Within 5 business days after receiving a written request the public body must "
            "acknowledge it (or complete its response); within 10 business days after that it "
            "must complete the response or give a written estimate of when it will. The "
            "response must be completed as soon as practicable and without unreasonable delay."
        ),
        "records_appeal_route": gettext_noop(
            "A person denied the records of a city, county or other local body may petition "
            "the district attorney of the county to order them released; for a state agency, "
            "the Attorney General. A court suit may follow."
        ),
        "records_appeal_citation": "ORS 192.411, 192.415, 192.427",
        "records_appeal_url": "https://oregon.public.law/statutes/ors_192.415",
    },
    "SC": {
        "records_law_name": "South Carolina Freedom of Information Act",
        "records_law_citation": "S.C. Code §§ 30-4-10 et seq.; § 30-4-30(c)",
        "records_law_url": "https://www.scstatehouse.gov/code/t30c004.php",
        "records_deadline_days": 10,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "Within 10 business days of a written request the public body must say whether it "
            "will release the records (20 business days for records more than 24 months old), "
            "then provide them within 30 calendar days of that answer (35 for older records), "
            "counted from the payment when it asks for a deposit."
        ),
        "records_appeal_route": "",
        "records_appeal_citation": "",
        "records_appeal_url": "",
    },
    "TX": {
        "records_law_name": "Texas Public Information Act",
        "records_law_citation": "Tex. Gov't Code ch. 552; §§ 552.221, 552.301",
        "records_law_url": "https://statutes.capitol.texas.gov/Docs/GV/htm/GV.552.htm",
        "records_deadline_days": 10,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "The officer for public information must produce the information promptly, that "
            "is within a reasonable time and without delay. A governmental body that wants to "
            "withhold any of it must ask the Attorney General for a decision, and tell the "
            "requester so, no later than the 10th business day after receiving the request; "
            "the portal's due date is that 10th business day."
        ),
        "records_appeal_route": gettext_noop(
            "Withholding goes to the Attorney General for a ruling, which the requester may "
            "answer. If the body does not respond at all, the requester may send a written "
            "complaint to the Attorney General with the request and any correspondence."
        ),
        "records_appeal_citation": "Tex. Gov't Code §§ 552.301, 552.328",
        "records_appeal_url": "https://statutes.capitol.texas.gov/Docs/GV/htm/GV.552.htm",
    },
    "WA": {
        "records_law_name": "Washington Public Records Act",
        "records_law_citation": "RCW 42.56; RCW 42.56.520",
        "records_law_url": "https://app.leg.wa.gov/RCW/default.aspx?cite=42.56.520",
        "records_deadline_days": 5,
        "records_deadline_business_days": True,
        "records_deadline_rule": gettext_noop(
            "Within 5 business days of receiving the request the agency must provide the "
            "records, give a link to them, acknowledge the request with a reasonable estimate "
            "of the time it needs, ask for clarification, or deny the request."
        ),
        "records_appeal_route": gettext_noop(
            "Agencies must offer a prompt internal review of a denial; two business days after "
            "the denial the requester may go to superior court. Denials by state agencies may "
            "also be reviewed by the Attorney General."
        ),
        "records_appeal_citation": "RCW 42.56.520, 42.56.530, 42.56.550",
        "records_appeal_url": "https://app.leg.wa.gov/RCW/default.aspx?cite=42.56.550",
    },
}


def records_law_states() -> list[str]:
    """States whose public records law is profiled here."""
    return sorted(RECORDS_LAWS)


def profile_states() -> list[str]:
    """Every state this data profiles: for its ALPR law, its records law, or both."""
    return sorted({p["state"] for p in PROFILES} | set(RECORDS_LAWS))


def profile_values(state: str) -> dict[str, Any]:
    """A fresh copy of one state's profile values (safe to mutate): its ALPR law profile and
    its records-law fields, whichever it has."""
    values: dict[str, Any] | None = None
    for profile in PROFILES:
        if profile["state"] == state:
            values = copy.deepcopy(profile)
    if state in RECORDS_LAWS:
        values = values or {"state": state, "last_reviewed": LAST_REVIEWED}
        values.update(copy.deepcopy(RECORDS_LAWS[state]))
    if values is None:
        raise KeyError(state)
    return values


def profiles_create_missing(*, model: type[models.Model]) -> list[str]:
    """Create a profile for every listed state that has none; existing rows keep what clerks
    entered, except that records-law fields still empty are filled from this data (they were
    added later, so an existing database gets them on its next migration).

    ``model`` is passed in so the data migration can use its historical model; fields the model
    does not have yet are skipped.
    """
    fields = {f.name for f in model._meta.concrete_fields}
    manager = model._default_manager
    existing = set(manager.values_list("state", flat=True))
    missing = [state for state in profile_states() if state not in existing]
    rows = [
        model(**{key: value for key, value in profile_values(state).items() if key in fields})
        for state in missing
    ]
    manager.bulk_create(rows)
    if "records_law_citation" in fields:
        for row in manager.filter(state__in=list(RECORDS_LAWS), records_law_citation=""):
            values = copy.deepcopy(RECORDS_LAWS[getattr(row, "state")])  # noqa: B009 - any model
            for key, value in values.items():
                setattr(row, key, value)
            row.save(update_fields=list(values))
    return missing


@dataclass(frozen=True)
class LawLoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@transaction.atomic
def state_law_profiles_load(*, update: bool = False, actor: User | None = None) -> LawLoadResult:
    """Create missing state law profiles; with ``update``, overwrite edited ones from this data.

    Every overwrite writes an audit row listing the old and new values.
    """
    created = profiles_create_missing(model=StateLawProfile)
    updated: list[str] = []
    unchanged: list[str] = []
    for profile in StateLawProfile.objects.filter(state__in=profile_states()):
        if profile.state in created:
            continue
        values = profile_values(profile.state) if update else {}
        for name, value in values.items():
            setattr(profile, name, value)
        # The same service as the admin: superusers only, audited, reflagged.
        if values and state_law_profile_save(profile=profile, fields=values, actor=actor):
            updated.append(profile.state)
        else:
            unchanged.append(profile.state)
    if created:
        state_laws_changed.send(sender=StateLawProfile, states=created)
    return LawLoadResult(created=created, updated=sorted(updated), unchanged=sorted(unchanged))
