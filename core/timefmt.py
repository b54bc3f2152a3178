from datetime import datetime


def iso_utc(value: datetime | None) -> str | None:
    """ISO-8601 in UTC with a ``Z``, as the API and outbound events write times."""
    return value.isoformat().replace("+00:00", "Z") if value else None
