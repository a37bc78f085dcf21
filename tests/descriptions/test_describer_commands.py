"""The LLM engine inside the product: drafting with ``DESCRIPTION_MODEL_PATH``, and ``finetune_describer``
turning an adapter into an active model version. A tiny random model stands in for a real one."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from descriptions import conf, services
from descriptions.facts import ListingFacts
from descriptions.models import RequestStatus
from descriptions.training_data import training_pair_json
from registry.models import ModelVersion
from tests.factories import HomeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("one_torch_thread")]


@pytest.fixture(autouse=True)
def _engine_forgotten() -> Iterator[None]:
    """Each test configures its own engine; the process-wide one must not outlive it."""
    yield
    conf._llm_engine.cache_clear()


def test_it_drafts_with_the_configured_model(
    settings: Any, tiny_llm_dir: Path, seller: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DESCRIPTION_MODEL_PATH = str(tiny_llm_dir)
    settings.DESCRIPTION_MAX_NEW_TOKENS = 24
    home = HomeFactory(seller=seller)

    with django_capture_on_commit_callbacks(execute=True):
        request = services.description_request_create(listing=home, by=seller, tone="warm")

    request.refresh_from_db()
    assert request.status == RequestStatus.READY
    # A random model says nothing checkable (its words pass), or nothing at all (the template's then).
    assert request.engine in {"llm", "template"}
    assert request.findings == []
    assert conf.engine_current() is conf.engine_current()  # loaded once per process


def test_it_fine_tunes_and_records_an_active_adapter_version(
    settings: Any, tmp_path: Path, tiny_llm_dir: Path, describer_pairs: list[tuple[ListingFacts, str]]
) -> None:
    data = tmp_path / "pairs.jsonl"
    data.write_text("\n".join([*(training_pair_json(facts, text) for facts, text in describer_pairs), "{not json"]))
    out, err = StringIO(), StringIO()

    call_command("finetune_describer", "--base", str(tiny_llm_dir), "--out", str(tmp_path / "adapter"), "--data",
                 str(data), "--epochs", "1", stdout=out, stderr=err)

    version = ModelVersion.objects.get(algorithm="lora")
    assert (version.kind, version.status, version.active) == ("all", "ready", True)
    assert (version.metrics["train_examples"], version.metrics["validation_examples"]) == (48, 12)
    assert (Path(settings.DATA_DIR) / "models" / version.artifact_path / "adapter_config.json").is_file()
    assert conf.adapter_path() == str(Path(settings.DATA_DIR) / "models" / version.artifact_path)
    assert "line 61: " in err.getvalue()
    assert f"version {version.pk} active." in out.getvalue()


def test_it_refuses_too_few_accepted_descriptions(tmp_path: Path, tiny_llm_dir: Path) -> None:
    with pytest.raises(CommandError, match="0 training examples"):
        call_command("finetune_describer", "--base", str(tiny_llm_dir), "--out", str(tmp_path / "adapter"))
    assert not ModelVersion.objects.exists()
