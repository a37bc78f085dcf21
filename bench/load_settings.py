"""Settings of ``bench/load.sh``: the project's, on a database of the bench's own (``BENCH_LOAD_DATABASE``,
default ``bench_load``, on the configured server), with ``bench/similar_api_urls.py`` as the URLconf so
that the minimal baseline view (``/bench/minimal/``) is served beside every real page. The project's own
URLs and settings gain nothing for the bench."""

from __future__ import annotations

from trustasset.settings import *  # noqa: F403
from trustasset.settings import DATABASES, env

BENCH_LOAD_DATABASE = env.str("BENCH_LOAD_DATABASE", default="bench_load")
DATABASES["default"]["NAME"] = BENCH_LOAD_DATABASE
ROOT_URLCONF = "bench.similar_api_urls"
