"""WSGI entry point (gunicorn trustasset.wsgi)."""

from __future__ import annotations

import gc

from trustasset.startup import folders_ensure, process_prepare

process_prepare()  # the embedded database when DATABASE_URL is unset
folders_ensure()

from django.core.wsgi import get_wsgi_application  # noqa: E402 (after the database is named)
from django.urls import get_resolver  # noqa: E402

application = get_wsgi_application()

# What the process loads to serve (Django, DRF, NumPy, every view, serializer and form: about 120,000 objects
# the cyclic collector tracks, 280,000 while it imported torch) lives as long as it does. Loaded now rather than by the first
# requests, and frozen, the collector no longer walks it on every full collection: one took 100-240 ms and
# stalled whichever request it fell in (bench/similar_api.py).
_ = get_resolver().url_patterns
gc.collect()
gc.freeze()
