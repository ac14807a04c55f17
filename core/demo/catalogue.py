"""The fixed part of the demo world: names and numbers that the built-in emulator mirrors.

Numbering rules (the emulator's seed follows them, with deliberate gaps):
job site i is number ``1000 + i``; employee i is number ``10000 + i``; each job
site i has a site-specific cost code ``99-{i:03d}``.
"""

from __future__ import annotations

from typing import NamedTuple


class SiteSeed(NamedTuple):
    name: str
    time_zone: str
    address: str


class CompanySeed(NamedTuple):
    name: str
    number: str
    is_own: bool
    crews: tuple[str, ...]
    share: float  # share of the workforce employed by this company


class CodeSeed(NamedTuple):
    code: str
    name: str
    unit_of_measure: str
    tracked: bool  # production quantities are recorded against it


SITES: tuple[SiteSeed, ...] = (
    SiteSeed("Riverside Medical Center", "America/New_York", "200 River Rd, Albany, NY"),
    SiteSeed("Harbor Point Apartments", "America/New_York", "14 Harbor Way, Baltimore, MD"),
    SiteSeed("Lakeview School Expansion", "America/Chicago", "880 Lakeview Ave, Madison, WI"),
    SiteSeed("Prairie Logistics Hub", "America/Chicago", "5100 Prairie Pkwy, Joliet, IL"),
    SiteSeed("Summit Ridge Offices", "America/Denver", "77 Summit Ridge Dr, Boulder, CO"),
    SiteSeed("Canyon Water Treatment", "America/Phoenix", "3 Canyon Rd, Tempe, AZ"),
    SiteSeed("Bayfront Hotel", "America/Los_Angeles", "1 Bayfront Blvd, San Diego, CA"),
    SiteSeed("Cedar Hills Library", "America/Los_Angeles", "450 Cedar Hills Blvd, Portland, OR"),
)
EXTRA_SITE_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")

COMPANIES: tuple[CompanySeed, ...] = (
    CompanySeed("Northwind Builders", "NWB", True, ("General A", "General B", "Carpentry"), 0.40),
    CompanySeed("Apex Concrete", "APX", False, ("Concrete A", "Concrete B"), 0.20),
    CompanySeed("Bright Electric", "BRT", False, ("Electrical",), 0.15),
    CompanySeed("Summit Steel", "SUM", False, ("Ironworkers",), 0.15),
    CompanySeed("Evergreen Drywall", "EVG", False, ("Drywall",), 0.10),
)

PAY_CLASSES: tuple[tuple[str, str], ...] = (
    ("LAB", "Laborer"),
    ("CARP", "Carpenter"),
    ("OPER", "Equipment Operator"),
    ("ELEC", "Electrician"),
    ("FORE", "Foreman"),
    ("APPR", "Apprentice"),
)
PAY_CLASS_WEIGHTS = (0.35, 0.2, 0.1, 0.12, 0.08, 0.15)

PAY_IDS: tuple[tuple[str, str], ...] = (
    ("REG", "Regular Time"),
    ("OT", "Overtime"),
    ("DT", "Double Time"),
    ("TRV", "Travel"),
)

STANDARD_CODES: tuple[CodeSeed, ...] = (
    CodeSeed("01-100", "General Conditions", "HR", False),
    CodeSeed("02-200", "Site Work", "CY", True),
    CodeSeed("03-300", "Cast-in-Place Concrete", "CY", True),
    CodeSeed("05-100", "Structural Steel", "TON", True),
    CodeSeed("06-100", "Rough Carpentry", "LF", True),
    CodeSeed("09-250", "Drywall", "SF", True),
    CodeSeed("26-050", "Electrical Rough-In", "LF", True),
    CodeSeed("31-200", "Earthwork", "CY", True),
)
SITE_CODE_NAME = "Owner Change Work"
SITE_CODE_UOM = "EA"

FIRST_NAMES = (
    "James", "Maria", "Robert", "Linda", "Michael", "Ana", "David", "Patricia", "Carlos", "Jennifer",
    "Daniel", "Sofia", "Joseph", "Emily", "Thomas", "Lucia", "Kevin", "Grace", "Luis", "Hannah",
    "Brian", "Olivia", "Jose", "Megan", "Eric", "Rosa", "Tyler", "Nina", "Marcus", "Elena",
)
LAST_NAMES = (
    "Smith", "Garcia", "Johnson", "Martinez", "Brown", "Lopez", "Davis", "Hernandez", "Miller", "Gonzalez",
    "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
    "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "King",
)


def site_number(index: int) -> str:
    """The number of job site `index` (1-based)."""
    return str(1000 + index)


def employee_number(index: int) -> str:
    """The number of employee `index` (1-based)."""
    return str(10000 + index)


def site_code(index: int) -> str:
    """The site-specific cost code of job site `index` (1-based)."""
    return f"99-{index:03d}"


def site_seed(index: int) -> SiteSeed:
    """Name, zone and address of job site `index` (1-based)."""
    if index <= len(SITES):
        return SITES[index - 1]
    zone = EXTRA_SITE_ZONES[index % len(EXTRA_SITE_ZONES)]
    return SiteSeed(f"Job Site {index}", zone, f"{100 + index} Main Street")
