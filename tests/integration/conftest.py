"""Real Celery workers for the integration tests: `celery worker` processes on the test database.

A worker is a separate process, so it sees only committed rows: tests here use ``transactional_db``, and
enqueue through a real broker instead of running tasks eagerly (tests/conftest.py). Redis tests get a Redis
database per pytest-xdist worker (8, 9, …), flushed before and after each test, so two test processes never
take each other's tasks; without Redis on 127.0.0.1:6379 they are skipped. The file broker needs no server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from kombu import pools as kombu_pools

from trustasset.celery import app as celery_app

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
FIRST_REDIS_DB, LAST_REDIS_DB = 8, 15  # Redis has databases 0-15; 0 and 1 are for development
PROJECT_DIR = Path(__file__).resolve().parent.parent.parent
QUEUES = "default,ml,descriptions"
# A task taken by a worker that then died is handed to the next worker after this many seconds (7 hours in
# production); the next worker's first poll, seconds after the kill, finds it.
TEST_VISIBILITY_TIMEOUT = 1


def redis_reachable() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """A data directory shared by this process and its workers (trained models and the file broker live there)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@dataclass
class RedisBroker:
    url: str
    client: redis.Redis

    def unacknowledged(self) -> int:
        """Tasks a worker has taken and not acknowledged (kombu keeps them in the ``unacked`` hash)."""
        return int(self.client.hlen("unacked"))


@pytest.fixture
def redis_broker() -> Iterator[RedisBroker]:
    """Tasks enqueued here go to a Redis database of this test process's own, empty before and after the test."""
    if not redis_reachable():
        pytest.skip(f"No Redis on {REDIS_HOST}:{REDIS_PORT}: real-worker tests need one (CI machines have it).")
    database = FIRST_REDIS_DB + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    if database > LAST_REDIS_DB:
        pytest.skip(f"Redis databases {FIRST_REDIS_DB}-{LAST_REDIS_DB} are one per pytest-xdist worker: too few.")
    url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{database}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    with publishing_to(broker_url=url, broker_transport_options={}):
        yield RedisBroker(url=url, client=client)
    client.flushdb()
    client.close()


@pytest.fixture
def file_broker(data_dir: Path) -> Iterator[Path]:
    """Tasks enqueued here go to the filesystem transport in ``data_dir/broker``, as `make run` without a broker."""
    folder = data_dir / "broker"
    folder.mkdir()
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder), "store_processed": False}
    with publishing_to(broker_url="filesystem://", broker_transport_options=options):
        yield folder


@contextmanager
def publishing_to(**conf: Any) -> Iterator[None]:
    """Publish this process's tasks to a broker instead of running them eagerly, then restore the settings."""
    wanted = {**conf, "task_always_eager": False}
    saved = {key: celery_app.conf[key] for key in wanted}
    _publisher_switch(wanted)
    try:
        yield
    finally:
        _publisher_switch(saved)


def _publisher_switch(conf: dict[str, Any]) -> None:
    celery_app.conf.update(**conf)
    # The publishing connection pools are made from broker_url on first use: the next publish makes new ones.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def worker_database_url() -> str:
    """The URL of the database this test runs on: the configured server, with the test database's name."""
    parts = urlsplit(django_settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


@dataclass
class Worker:
    """A `celery worker` process group."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """What a machine dying does: the main and pool processes gone at once, nothing acknowledged."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


WorkerStart = Callable[..., Worker]


@pytest.fixture
def worker_start(transactional_db: None, data_dir: Path, tmp_path: Path) -> Iterator[WorkerStart]:
    """Start `celery -A trustasset worker` on all three queues of ``broker_url``, on this test's database and
    data directory; ``encoder_config`` is its ENCODER_CONFIG. Workers are killed after the test, before the
    database is flushed."""
    started: list[Worker] = []

    def start(*, broker_url: str, encoder_config: dict[str, Any] | None = None) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "trustasset.settings",
            "DATABASE_URL": worker_database_url(),
            "TRUSTASSET_DATA_DIR": str(data_dir),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_BROKER_VISIBILITY_TIMEOUT": str(TEST_VISIBILITY_TIMEOUT),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "ENCODER_CONFIG": json.dumps(encoder_config or {}),
            "OMP_NUM_THREADS": "1",
        }
        log_path = tmp_path / f"worker-{len(started) + 1}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 (our own command line)
                [sys.executable, "-m", "celery", "-A", "trustasset", "worker", "--queues", QUEUES,
                 "--concurrency", "1", "--loglevel", "INFO", "--hostname", f"test{len(started) + 1}@%h",
                 "--without-mingle", "--without-gossip", "--without-heartbeat"],
                cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        started.append(Worker(process=process, log_path=log_path))
        return started[-1]

    yield start
    for worker in started:
        worker.kill()


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str, workers: list[Worker]) -> None:
    """Poll ``condition`` until it holds; fail with the workers' logs after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {worker.log_path.name}\n{worker.log()[-4000:]}" for worker in workers)
            pytest.fail(f"Not within {seconds} s: {what}.\n{logs}")
        time.sleep(0.2)
