"""The Python half of ``bench/load.sh``: the bench database, the wrk scripts, the smoke check and the report.

    DJANGO_SETTINGS_MODULE=bench.load_settings .venv/bin/python bench/load.py prepare --listings N --out DIR
    .venv/bin/python bench/load.py check --base http://127.0.0.1:PORT --out DIR
    .venv/bin/python bench/load.py report --out DIR

``prepare`` loads the database once and reuses it: ``--listings`` generated homes, an active encoder
version with a random item embedding per listing (HNSW index) and a stored 50-long neighbour list per
listing, ``--users`` feed users with ``--history`` interactions each (``bench-feed-N``) and as many
visitors without history (``bench-visitor-N``), as ``bench/feed_api.py`` and ``bench/similar_api.py``
load theirs. The database's comment records what was loaded and how long it took; a later run with the
same sizes reuses it (``--reload`` rebuilds it). Every run then removes what the previous run wrote
(impressions, the visitors' views, sessions, the cache), signs every user in (fresh sessions) and writes
one wrk script per target into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from bench.database import (
    django_setup,
    item_embeddings_load,
    listings_generate,
    neighbour_lists_load,
    users_with_history,
)

FEED_PREFIX = "bench-feed"
VISITOR_PREFIX = "bench-visitor"
DETAIL_SAMPLE = 5_000  # listing pages the detail target picks from at random
# The targets, in the order they run. The baselines are bench/similar_api_urls.py's views: the goal reads
# the detail page against the minimal page (what every page costs), and the bare JSON view is shown beside.
TARGETS = {
    "minimal": "bare JSON view (/bench/minimal/: all middleware, no query, no template)",
    "page": "minimal page (/bench/page/: session and user read, the empty base layout rendered)",
    "detail": "a listing's page with its similar listings (/listings/ID/, signed-in visitor)",
    "feed": "the feed (/api/feed/?kind=home&limit=10, signed-in user with history)",
}
FEED_PATH = "/api/feed/?kind=home&limit=10"
GOAL_RATIO = 0.5

WRK_SCRIPT = """-- Written by bench/load.py: GET a random one of `paths` with a random one of `cookies`.
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local threads = 0

function setup(thread)
  thread:set("seed", threads + 1)
  threads = threads + 1
end

function init(args)
  math.randomseed(seed)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], {["Cookie"] = cookies[math.random(#cookies)]})
end

function done(summary, latency, requests)
  local errors = summary.errors
  local file = io.open("%(result)s", "w")
  file:write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    errors.connect, errors.read, errors.write, errors.status, errors.timeout))
  file:close()
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    prepare = commands.add_parser("prepare", help="load or reuse the database; sessions and wrk scripts")
    prepare.add_argument("--listings", type=int, default=1_000_000)
    prepare.add_argument("--users", type=int, default=20)
    prepare.add_argument("--history", type=int, default=200)
    prepare.add_argument("--reload", action="store_true", help="rebuild the database even if it matches")
    check = commands.add_parser("check", help="one request per target: 200, and a personalized feed")
    check.add_argument("--base", required=True)
    report = commands.add_parser("report", help="requests/s, p99 and errors per target; the ratio")
    for command in (prepare, check, report):
        command.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "prepare":
        django_setup()
        database_prepare(listings=args.listings, users=args.users, history=args.history, reload=args.reload)
        run_prepare(out=args.out)
    elif args.command == "check":
        smoke_check(base=args.base, out=args.out)
    else:
        print(report_text(out=args.out))


# The database ----------------------------------------------------------------------------------

def database_prepare(*, listings: int, users: int, history: int, reload: bool) -> None:
    """Make the bench database hold ``listings`` listings and ``users`` users of each pool: reuse it when
    its comment says so, else (re)create, migrate and load it; migrations are applied either way."""
    from django.core.management import call_command
    from django.db import connection

    name = connection.settings_dict["NAME"]
    wanted = f"trustasset load bench: listings={listings} users={users} history={history}"
    comment = _database_comment(name)
    if comment.startswith(wanted + ";") and not reload:
        print(f"reusing database {name}: {comment.split(': ', 1)[1]}", flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        return
    print(f"loading database {name}: {listings:,} listings, {users} feed users with {history} interactions "
          f"each and {users} visitors (at 1M listings this takes a long while; it is done once and reused)",
          flush=True)
    started = time.perf_counter()
    _server_execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    _server_execute("CREATE DATABASE {}", name)
    call_command("migrate", interactive=False, verbosity=0)
    _load(listings=listings, users=users, history=history)
    seconds = time.perf_counter() - started
    _server_execute("COMMENT ON DATABASE {} IS {}", name,
                    literal=f"{wanted}; loaded in {seconds:.0f} s on {time.strftime('%Y-%m-%d')}")
    print(f"loaded in {seconds:.0f} s", flush=True)


def _load(*, listings: int, users: int, history: int) -> None:
    from django.contrib.auth.models import User

    ids = listings_generate(homes=listings)
    rng = np.random.default_rng(1)
    version, vectors = item_embeddings_load(ids=ids, rng=rng)
    neighbour_lists_load(version=version, ids=ids.tolist())
    users_with_history(ids=ids, vectors=vectors, users=users, history=history, rng=rng, prefix=FEED_PREFIX)
    User.objects.bulk_create([User(username=f"{VISITOR_PREFIX}-{index}") for index in range(users)])


def _database_comment(name: str) -> str:
    """The comment on database ``name``; empty when it has none or does not exist."""
    with _server() as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return (row[0] or "") if row else ""


def _server_execute(statement: str, name: str, *, literal: str | None = None) -> None:
    """Run ``statement`` with ``name`` (and ``literal``) quoted into its placeholders, outside any database."""
    from psycopg import sql

    parts = [sql.Identifier(name)] + ([sql.Literal(literal)] if literal is not None else [])
    with _server() as connection:
        connection.execute(sql.SQL(statement).format(*parts))


def _server() -> Any:
    """A connection to the configured server's ``postgres`` database, in autocommit (to create and drop)."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's own cursor classes
    return psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True)


# Each run ---------------------------------------------------------------------------------------

def run_prepare(*, out: Path) -> None:
    """Undo what earlier runs wrote, sign every bench user in, and write one wrk script per target."""
    from django.contrib.auth.models import User
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    from listings.models import Event, Interaction, Listing, Status
    from recommendations.models import InterestProfile, ProfileRefreshMark

    visitors = User.objects.filter(username__startswith=VISITOR_PREFIX)
    Interaction.objects.filter(event=Event.IMPRESSION).delete()
    Interaction.objects.filter(user__in=visitors).delete()
    InterestProfile.objects.filter(user__in=visitors).delete()
    ProfileRefreshMark.objects.all().delete()
    Session.objects.all().delete()
    cache.clear()  # every run starts with empty rate-limit counters and no kept page sections
    feed_cookies = _sessions(User.objects.filter(username__startswith=FEED_PREFIX))
    visitor_cookies = _sessions(visitors)
    ids = list(Listing.objects.filter(status=Status.ACTIVE).order_by("?").values_list("pk", flat=True)[:DETAIL_SAMPLE])
    out.mkdir(parents=True, exist_ok=True)
    scripts = {
        "minimal": (["/bench/minimal/"], visitor_cookies),
        "page": (["/bench/page/"], visitor_cookies),
        "detail": ([f"/listings/{pk}/" for pk in ids], visitor_cookies),
        "feed": ([FEED_PATH], feed_cookies),
    }
    for target, (paths, cookies) in scripts.items():
        (out / f"{target}.lua").write_text(WRK_SCRIPT % {
            "paths": ", ".join(json.dumps(path) for path in paths),
            "cookies": ", ".join(json.dumps(cookie) for cookie in cookies),
            "result": str((out / f"{target}.json").resolve()),
        })
    print(f"signed in {len(feed_cookies)} feed users and {len(visitor_cookies)} visitors; "
          f"{len(ids):,} listing pages to pick from", flush=True)


def _sessions(users: object) -> list[str]:
    """A session cookie (``sessionid=…``) of a fresh signed-in session per user, as a log-in would make."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    cookies = []
    for user in users:  # type: ignore[attr-defined]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return cookies


def smoke_check(*, base: str, out: Path) -> None:
    """One request per target with its first path and cookie: each must answer 200, the feed personalized
    (a feed for a signed-out caller would also answer 200, and measure the wrong thing)."""
    if not base.startswith("http://127.0.0.1:"):
        raise SystemExit(f"The bench server runs on the loopback address, not at {base}.")
    for target in TARGETS:
        script = (out / f"{target}.lua").read_text()
        path = re.search(r'local paths = \{"([^"]+)"', script)
        cookie = re.search(r'local cookies = \{"([^"]+)"', script)
        assert path and cookie, f"{target}.lua has no paths or cookies"
        url = base + path.group(1)
        request = urllib.request.Request(url, headers={"Cookie": cookie.group(1)})  # noqa: S310 (checked below)
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            body = response.read()
            assert response.status == 200, f"{target}: {response.status}"
        if target == "feed":
            assert json.loads(body)["profile"]["personalized"], "the feed user is not signed in or has no profile"
        if target in ("page", "detail"):
            assert b'class="username"' in body, f"the {target} visitor is not signed in"
    print("smoke check: every target answers 200 to a signed-in user, the feed is personalized", flush=True)


def report_text(*, out: Path) -> str:
    """A table of requests/s, p50, p99 and errors per target, then the ratio detail / minimal and the goal."""
    rows = {target: json.loads((out / f"{target}.json").read_text()) for target in TARGETS}
    lines = [f"{'target':<8} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}  what"]
    rates = {}
    for target, row in rows.items():
        rates[target] = row["requests"] / (row["duration_us"] / 1e6)
        errors = sum(row[kind] for kind in ("connect", "read", "write", "status", "timeout"))
        row["errors"] = errors
        lines.append(f"{target:<8} {rates[target]:>11.1f} {row['p50_us'] / 1000:>8.1f} {row['p99_us'] / 1000:>8.1f} "
                     f"{row['requests']:>9} {errors:>7}  {TARGETS[target]}")
        if errors:
            lines.append(f"{'':<8} errors: " + ", ".join(f"{kind} {row[kind]}" for kind in
                                                          ("connect", "read", "write", "status", "timeout")))
    ratio = rates["detail"] / rates["page"]
    met = ratio >= GOAL_RATIO and rows["detail"]["errors"] == 0
    lines.append(f"ratio detail / minimal page (requests/s): {ratio:.2f}x (goal >= {GOAL_RATIO}x with 0 errors: "
                 f"{'met' if met else 'NOT met'})")
    lines.append(f"ratio detail / bare JSON view: {rates['detail'] / rates['minimal']:.2f}x; "
                 f"feed / minimal page: {rates['feed'] / rates['page']:.2f}x; "
                 f"feed / bare JSON view: {rates['feed'] / rates['minimal']:.2f}x")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
