"""Which time zone an organization lives in, by default: its country's main zone.

The IANA database's zone.tab lists each country's zones, the first being its main one for
most countries; a few large countries list a border zone first, so their capital's (or
their business centre's) zone is named here. Reads the zone.tab of the system's time zone
database (the one `zoneinfo` uses), once per process.
"""

import zoneinfo
from functools import lru_cache
from pathlib import Path

DEFAULT_TIME_ZONE = "UTC"
# Countries whose first zone.tab entry is not where most of their business happens.
MAIN_ZONES = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "RU": "Europe/Moscow",
}


@lru_cache(maxsize=1)
def _first_zone_by_country() -> dict[str, str]:
    for directory in zoneinfo.TZPATH:
        table = Path(directory) / "zone.tab"
        if table.is_file():
            zones: dict[str, str] = {}
            for row in table.read_text(encoding="utf-8").splitlines():
                if row and not row.startswith("#"):
                    country, _coordinates, zone, *_comment = row.split("\t")
                    zones.setdefault(country, zone)
            return zones
    return {}


@lru_cache(maxsize=512)
def default_time_zone(country: str) -> str:
    """The main time zone of an ISO 3166 country, or UTC when unknown."""
    country = (country or "").upper()
    zone = MAIN_ZONES.get(country) or _first_zone_by_country().get(country)
    return zone if zone in zoneinfo.available_timezones() else DEFAULT_TIME_ZONE
