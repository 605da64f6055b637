import zoneinfo
from functools import cache


@cache
def timezone_names() -> list[str]:
    """IANA timezone names a person would pick from, sorted, without legacy aliases."""
    legacy_prefixes = ("Etc/", "SystemV/", "US/", "Canada/", "Brazil/", "Mexico/", "Chile/")
    return sorted(
        name
        for name in zoneinfo.available_timezones()
        if "/" in name and not name.startswith(legacy_prefixes) and name != "localtime"
    ) + ["UTC"]


def is_valid_timezone(name: str) -> bool:
    return name in zoneinfo.available_timezones()
