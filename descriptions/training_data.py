"""Training pairs for the describer: (listing facts, description) read from and written to JSON lines.
No Django here.

One pair a line: ``{"facts": {"kind": "home", "bed": 3, ...}, "description": "..."}``. Facts use the
field names of ``ListingFacts``; a missing fact is unknown; ``prev_sold_date`` is an ISO date.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from descriptions.facts import FACT_FIELDS, ListingFacts

KINDS = ("home", "car")
OFFERS = ("sale", "rent")

# How each ListingFacts annotation is read from JSON; an annotation not here fails at import, so a new
# fact cannot be silently read wrong.
_READERS_BY_ANNOTATION = {
    "str": "text",
    "int | None": "integer",
    "float | None": "number",
    "Decimal | float | None": "number",
    "date | None": "date",
}
_READERS = {fact.name: _READERS_BY_ANNOTATION[str(fact.type)] for fact in fields(ListingFacts)}


@dataclass(frozen=True)
class TrainingPairs:
    """The pairs read from a file, and one message per rejected line (``"line 3: ..."``)."""

    pairs: list[tuple[ListingFacts, str]] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


def training_pairs_read(path: str | Path) -> TrainingPairs:
    """Every valid pair in the JSONL file at ``path``, in file order; each bad line is rejected with
    its (1-based) line number and the reason, and reading goes on. Blank lines are skipped."""
    result = TrainingPairs()
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                result.pairs.append(training_pair_parse(line))
            except ValueError as error:
                result.rejected.append(f"line {number}: {error}")
    return result


def training_pair_parse(line: str) -> tuple[ListingFacts, str]:
    """One JSON line as (facts, description); ValueError saying what is wrong."""
    try:
        record = json.loads(line.strip())
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON ({error.msg}: column {error.colno})") from error
    if not isinstance(record, dict):
        raise ValueError("not a JSON object with facts and description")
    extra = sorted(set(record) - {"facts", "description"})
    if extra:
        raise ValueError(f"unexpected keys {', '.join(extra)} (only facts and description)")
    description = record.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ValueError("description missing or empty")
    facts = record.get("facts")
    if not isinstance(facts, dict):
        raise ValueError("facts missing or not an object")
    return listing_facts_from_json(facts), description.strip()


def listing_facts_from_json(values: dict[str, object]) -> ListingFacts:
    """``ListingFacts`` from JSON values; ValueError naming the first unknown or ill-typed fact."""
    unknown = sorted(set(values) - set(FACT_FIELDS))
    if unknown:
        raise ValueError(f"unknown facts {', '.join(unknown)}")
    if values.get("kind") not in KINDS:
        raise ValueError(f"facts.kind must be one of {', '.join(KINDS)}, not {values.get('kind')!r}")
    if values.get("offer", "sale") not in OFFERS:
        raise ValueError(f"facts.offer must be one of {', '.join(OFFERS)}, not {values.get('offer')!r}")
    return ListingFacts(**{name: _fact_value(name, value) for name, value in values.items()})  # type: ignore[arg-type]


def training_pair_json(facts: ListingFacts, description: str) -> str:
    """One JSONL line for (facts, description), unknown facts left out; ``training_pair_parse`` reads it back."""
    values: dict[str, object] = {}
    for name in FACT_FIELDS:
        value = getattr(facts, name)
        if value is None or value == "":
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif _READERS[name] == "number":
            value = float(value)
        values[name] = value
    return json.dumps({"facts": values, "description": description}, ensure_ascii=False)


def _fact_value(name: str, value: object) -> object:
    reader = _READERS[name]
    if reader == "text":
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError(f"facts.{name} must be text, not {value!r}")
        return value.strip()
    if value is None:
        return None
    if reader == "date":
        if not isinstance(value, str):
            raise ValueError(f"facts.{name} must be an ISO date (YYYY-MM-DD), not {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"facts.{name} must be an ISO date (YYYY-MM-DD), not {value!r}") from error
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"facts.{name} must be a number, not {value!r}")
    if reader == "integer":
        if value != int(value):
            raise ValueError(f"facts.{name} must be a whole number, not {value!r}")
        return int(value)
    return float(value)
