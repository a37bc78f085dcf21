"""`make run` without any broker server: a worker on all three queues takes its tasks from the filesystem
transport in $TRUSTASSET_DATA_DIR/broker."""

from __future__ import annotations

from pathlib import Path

import pytest

from descriptions.models import DescriptionRequest, RequestStatus
from descriptions.services import description_request_create
from recommendations import tasks
from tests.factories import HomeFactory, UserFactory
from tests.integration.conftest import WorkerStart, wait_for

pytestmark = pytest.mark.slow


def test_it_runs_tasks_of_every_queue_from_the_file_broker(worker_start: WorkerStart, file_broker: Path) -> None:
    seller = UserFactory(username="file_seller")
    home = HomeFactory(seller=seller)
    request = description_request_create(listing=home, by=seller, tone="concise")  # the descriptions queue
    tasks.listing_embed.delay(home.pk)  # default: no encoder yet, so it only logs and returns
    tasks.sequence_model_train.delay("car")  # ml: no interactions yet, so nothing is trained
    queued = sorted(path.name.split(".")[-2] for path in file_broker.glob("*.msg"))

    worker = worker_start(broker_url="filesystem://")
    wait_for(lambda: not any(file_broker.glob("*.msg")), seconds=60, what="the three tasks taken", workers=[worker])
    wait_for(lambda: worker.log().count(" succeeded in ") == 3, seconds=30, what="the three tasks done",
             workers=[worker])

    assert queued == ["default", "descriptions", "ml"]
    assert DescriptionRequest.objects.get(pk=request.pk).status == RequestStatus.READY
