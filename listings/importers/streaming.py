"""Iterating in batches, and producing the next batch while the caller works on the current one. No Django.

``prefetched``: the importer reads and checks rows (pure Python, holding the GIL) while the main thread waits on
PostgreSQL (psycopg releases the GIL), so on two cores both proceed at once. The database stays on
the caller's thread and connection: transactions, and tests' wrapping transaction, are unchanged.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Generic, TypeVar

Item = TypeVar("Item")


def batched(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Lists of ``size`` items (the last one shorter), consuming ``items`` lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class _Failure:
    error: BaseException


class _End:
    pass


@dataclass
class _Producer(Generic[Item]):
    items: Iterable[Item]
    channel: queue.Queue[Item | _Failure | _End]
    stop: threading.Event

    def run(self) -> None:
        try:
            for item in self.items:
                self.channel.put(item)
                if self.stop.is_set():
                    return
        except BaseException as error:  # noqa: BLE001  (handed to the consumer, which re-raises it)
            self.channel.put(_Failure(error))
            return
        self.channel.put(_End())


def prefetched(items: Iterable[Item], *, depth: int = 2) -> Iterator[Item]:
    """The items of ``items``, in order, computed up to ``depth`` ahead in a background thread.

    An exception raised while producing is raised here, at the item where it happened. When the
    consumer stops early (break, exception, Ctrl-C) the producer stops after its current item.
    """
    channel: queue.Queue[Item | _Failure | _End] = queue.Queue(maxsize=depth)
    producer = _Producer(items=items, channel=channel, stop=threading.Event())
    thread = threading.Thread(target=producer.run, name="import-prefetch", daemon=True)
    thread.start()
    try:
        while not isinstance(item := channel.get(), _End):
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        producer.stop.set()
        _drain(channel)  # unblocks a producer waiting to put, so that it sees the stop
        thread.join()


def _drain(channel: queue.Queue[Item | _Failure | _End]) -> None:
    while True:
        try:
            channel.get_nowait()
        except queue.Empty:
            return
