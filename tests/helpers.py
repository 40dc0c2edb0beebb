"""Small helpers shared by test modules."""

import csv
import io


def csv_rows(response) -> list[dict[str, str]]:
    """The rows of a (possibly streamed) CSV response as dicts."""
    return list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8"))))
