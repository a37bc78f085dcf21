"""import_interactions: signals onto listings named source:id, users created as needed, bad rows logged."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from listings.models import Interaction, Listing
from tests.factories import CarFactory, HomeFactory, UserFactory

HEADER = "user,external_id,event,timestamp"


def run_import(path: Path, tmp_path: Path) -> str:
    out = StringIO()
    call_command("import_interactions", str(path), "--rejects", str(tmp_path / "rejects.csv"), verbosity=0,
                 stdout=out)
    return out.getvalue()


def rejects(tmp_path: Path) -> list[tuple[str, str]]:
    with (tmp_path / "rejects.csv").open(encoding="utf-8", newline="") as file:
        return sorted(((row["line"], row["reason"]) for row in csv.DictReader(file)), key=lambda row: int(row[0]))


@pytest.fixture
def home() -> Listing:
    return HomeFactory(source="realtor", external_id="ab12")


@pytest.fixture
def car() -> Listing:
    return CarFactory(source="craigslist", external_id="7309312148")


@pytest.fixture
def signals_csv(tmp_path: Path, home: Listing, car: Listing) -> Path:
    path = tmp_path / "interactions.csv"
    path.write_text("\r\n".join([
        HEADER,
        "buyer,realtor:ab12,view,2024-05-01T10:00:00Z",  # line 2
        "newcomer,craigslist:7309312148,favorite,2024-05-02T11:30:00-0500",
        "buyer,realtor:ab12,view,2024-05-01T10:00:00Z",
        "buyer,realtor:nope,view,2024-05-01T10:00:00Z",  # line 5
        "buyer,realtor:ab12,teleport,2024-05-01T10:00:00Z",
        "buyer,realtor:ab12,contact,yesterday",
        "bad user!,realtor:ab12,view,2024-05-01T10:00:00Z",
        "buyer,realtor:ab12",  # line 9
        "orphan,trustasset:missing,view,2024-05-01",
    ]) + "\r\n", encoding="utf-8", newline="")
    return path


@pytest.mark.django_db
def test_it_imports_signals_and_logs_each_bad_row(signals_csv: Path, tmp_path: Path, home: Listing,
                                                  car: Listing) -> None:
    buyer = UserFactory(username="buyer")

    output = run_import(signals_csv, tmp_path)

    assert output == "imported 2, rejected 7\n"
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.has_usable_password()
    assert sorted(Interaction.objects.values_list("user_id", "listing_id", "event", "created_at")) == [
        (buyer.pk, home.pk, "view", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (newcomer.pk, car.pk, "favorite", datetime(2024, 5, 2, 16, 30, tzinfo=UTC)),
    ]
    assert rejects(tmp_path) == [
        ("4", "duplicate of line 2"),
        ("5", "no listing realtor:nope"),
        ("6", "event: unknown 'teleport' (one of contact, favorite, impression, search_click, share, unfavorite, "
              "view)"),
        ("7", "timestamp: unreadable date 'yesterday'"),
        ("8", "user: not a valid username 'bad user!'"),
        ("9", "has 2 columns, expected 4"),
        ("10", "no listing trustasset:missing"),
    ]
    assert not User.objects.filter(username="orphan").exists()  # its row was refused: nobody is created


@pytest.mark.django_db
def test_it_does_not_import_the_same_signals_twice(signals_csv: Path, tmp_path: Path) -> None:
    run_import(signals_csv, tmp_path)

    output = run_import(signals_csv, tmp_path)

    assert output == "imported 0, rejected 9\n"
    assert Interaction.objects.count() == 2
    assert [reason for _, reason in rejects(tmp_path)].count(
        "already imported (same user, listing, event and time)"
    ) == 2


@pytest.mark.django_db
def test_it_refuses_a_file_without_the_interaction_columns(tmp_path: Path) -> None:
    path = tmp_path / "interactions.csv"
    path.write_text("user,listing,when\nbuyer,1,2024-05-01\n", encoding="utf-8")

    with pytest.raises(CommandError, match="lacks the interaction columns external_id, event, timestamp"):
        run_import(path, tmp_path)
