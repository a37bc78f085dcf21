"""``evaluate_recommenders --interactions FILE`` on CSV files (the documented JSON, exact counts, loud
failures), ``export_interactions`` on factory interactions, and ``generate_interaction_file``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from recommendations.ml.evaluation.protocol import user_sequences
from recommendations.ml.interaction_files import ordered_pattern_generate
from tests.factories import CarFactory, HomeFactory, InteractionFactory, UserFactory
from tests.recommendations.ml.test_generic_evaluation import TINY_FILE

METRICS = {"hr@2", "ndcg@2", "precision@2", "recall@2", "mrr", "coverage"}
MORNING = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(TINY_FILE)
    return path


def evaluate(*args: str, stderr: StringIO | None = None) -> dict:
    out = StringIO()
    call_command("evaluate_recommenders", "--json", *args, stdout=out, stderr=stderr or StringIO())
    return json.loads(out.getvalue())


def test_it_reports_the_database_modes_shape_for_a_file(tiny_file: Path) -> None:
    report = evaluate("--interactions", str(tiny_file), "--k", "2")

    assert set(report) == {"users", "items", "intent_accuracy", "algorithms"}
    assert (report["users"], report["items"], report["intent_accuracy"]) == (3, 5, None)
    assert list(report["algorithms"]) == ["random", "popularity", "itemknn", "sasrec"]
    for metrics in report["algorithms"].values():
        assert set(metrics) == METRICS
    # Computed by hand in tests/recommendations/ml/test_generic_evaluation.py.
    assert report["algorithms"]["popularity"] == pytest.approx({
        "hr@2": 1 / 3, "ndcg@2": 1 / 3, "precision@2": 1 / 6, "recall@2": 1 / 3, "mrr": 19 / 36, "coverage": 0.8})
    assert report["algorithms"]["itemknn"]["mrr"] == pytest.approx(2 / 3)


def test_it_prints_the_table_for_a_file(tiny_file: Path) -> None:
    out = StringIO()

    call_command("evaluate_recommenders", "--interactions", str(tiny_file), "--k", "2", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == "users 3, items 5, intent accuracy n/a"
    assert lines[1].split() == ["algorithm", "hr@2", "ndcg@2", "precision@2", "recall@2", "mrr", "coverage", "novelty"]
    assert [line.split()[0] for line in lines[2:]] == ["random", "popularity", "itemknn", "sasrec"]
    assert lines[4].split()[1:7] == ["1.0000", "0.7540", "0.5000", "1.0000", "0.6667", "0.8000"]


def test_it_reports_skipped_rows_on_stderr(tmp_path: Path) -> None:
    path = tmp_path / "some_bad.csv"
    path.write_text("user,item,timestamp\nu1,a,1\nu1,b,later\nu1,c,3\n")
    errors = StringIO()

    report = evaluate("--interactions", str(path), stderr=errors)

    assert (report["users"], report["items"]) == (1, 2)
    assert errors.getvalue() == f"{path}: skipped 1 row: unreadable timestamp 1 (line 3)\n"


def test_it_fails_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere\.csv: No such file or directory\."):
        evaluate("--interactions", str(tmp_path / "nowhere.csv"))


def test_it_fails_for_a_directory(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot read .*: Is a directory"):
        evaluate("--interactions", str(tmp_path))


def test_it_fails_for_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "no_time.csv"
    path.write_text("user,item\nu1,a\nu1,b\n")

    with pytest.raises(CommandError, match="lacks the column timestamp"):
        evaluate("--interactions", str(path))


def test_it_fails_without_a_user_with_two_items(tmp_path: Path) -> None:
    path = tmp_path / "repeats.csv"
    path.write_text("user,item,timestamp\nu1,a,1\nu1,a,2\nu2,b,1\n")

    with pytest.raises(CommandError, match=r"No user in .* has events on two distinct items"):
        evaluate("--interactions", str(path))


def test_it_refuses_a_kind_with_a_file(tiny_file: Path) -> None:
    with pytest.raises(CommandError, match="argument --interactions: not allowed with argument --kind"):
        evaluate("--kind", "home", "--interactions", str(tiny_file))


def test_it_generates_a_file_that_evaluates(tmp_path: Path) -> None:
    path = tmp_path / "ordered.csv"
    out = StringIO()

    call_command("generate_interaction_file", str(path), "--users", "20", "--items", "15", "--seed", "4",
                 "--min-length", "3", "--max-length", "3", stdout=out)

    assert out.getvalue() == f"wrote 60 interactions of 20 users on 15 items to {path} (seed 4, noise 0.2)\n"
    assert path.read_text().splitlines()[0] == "user,item,timestamp"
    pattern = ordered_pattern_generate(users=20, items=15, seed=4, min_length=3, max_length=3)
    sequences = user_sequences(pattern.log).values()
    report = evaluate("--interactions", str(path))
    assert report["items"] == len(np.unique(pattern.log.item_ids))
    assert report["users"] == sum(len(np.unique(sequence)) >= 2 for sequence in sequences)


def test_it_refuses_to_generate_with_bad_lengths(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="2 ≤ min_length ≤ max_length"):
        call_command("generate_interaction_file", str(tmp_path / "x.csv"), "--min-length", "9", "--max-length", "3")


@pytest.mark.django_db
def test_it_exports_signed_in_users_interactions_without_impressions(tmp_path: Path) -> None:
    ann, bob = UserFactory(), UserFactory()
    home, other_home, car = HomeFactory(), HomeFactory(), CarFactory()
    InteractionFactory(user=ann, listing=home, created_at=MORNING)
    InteractionFactory(user=bob, listing=car, event="favorite", created_at=MORNING + timedelta(minutes=1))
    InteractionFactory(user=ann, listing=other_home, event="contact",
                       created_at=MORNING + timedelta(minutes=2, microseconds=500))
    InteractionFactory(user=ann, listing=car, event="impression", created_at=MORNING + timedelta(minutes=3))
    InteractionFactory(user=None, session_key="anonymous", listing=home, created_at=MORNING + timedelta(minutes=4))
    path = tmp_path / "export.csv"
    out = StringIO()

    call_command("export_interactions", str(path), stdout=out)

    assert path.read_text().splitlines() == [
        "user,item,timestamp",
        f"{ann.pk},{home.pk},2025-03-01T09:00:00+00:00",
        f"{bob.pk},{car.pk},2025-03-01T09:01:00+00:00",
        f"{ann.pk},{other_home.pk},2025-03-01T09:02:00.000500+00:00",
    ]
    assert out.getvalue() == f"exported 3 interactions of 2 users on 3 listings to {path}\n"
    # Ann has two listings: the file evaluates her.
    report = evaluate("--interactions", str(path))
    assert (report["users"], report["items"]) == (1, 3)


@pytest.mark.django_db
def test_it_exports_one_kind(tmp_path: Path) -> None:
    ann = UserFactory()
    car = CarFactory()
    InteractionFactory(user=ann, listing=HomeFactory(), created_at=MORNING)
    InteractionFactory(user=ann, listing=car, event="share", created_at=MORNING + timedelta(hours=1))
    path = tmp_path / "cars.csv"

    call_command("export_interactions", str(path), "--kind", "car", stdout=StringIO())

    assert path.read_text().splitlines() == ["user,item,timestamp", f"{ann.pk},{car.pk},2025-03-01T10:00:00+00:00"]


@pytest.mark.django_db
def test_it_fails_to_export_to_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"Cannot write .*export\.csv: No such file or directory\."):
        call_command("export_interactions", str(tmp_path / "missing" / "export.csv"), stdout=StringIO())
