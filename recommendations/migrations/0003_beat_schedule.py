"""Celery beat's schedule for the recommender: nightly retrains and hourly incremental refreshes per kind.

The rows live in django_celery_beat's tables, so admins can change times or disable them in the admin.
"""

import json
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone

UTC = ZoneInfo("UTC")
NIGHTLY = {"minute": "0", "hour": "3"}  # 03:00 UTC, when traffic is lowest
HOURLY = {"minute": "15", "hour": "*"}
PLURALS = {"home": "homes", "car": "cars"}


def _schedule() -> list[dict]:
    rows = []
    for kind in ("home", "car"):
        rows.append({
            "name": f"Retrain {kind} encoder (nightly)",
            "task": "recommendations.tasks.encoder_retrain",
            "crontab": NIGHTLY,
            "args": [kind],
            "kwargs": {},
            "description": f"Train a new {kind} encoder, re-embed every {kind}, refresh the lists, then activate it.",
        })
        rows.append({
            "name": f"Refresh similar {PLURALS[kind]} (hourly, incremental)",
            "task": "recommendations.tasks.neighbours_refresh",
            "crontab": HOURLY,
            "args": [],
            "kwargs": {"kind": kind, "incremental": True},
            "description": f"Embed new and edited {PLURALS[kind]} and recompute the lists they touch.",
        })
    return rows


def _mark_changed(apps) -> None:
    # PeriodicTask.save() does this outside migrations; a running beat reloads its schedule when it moves.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def schedule_create(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for row in _schedule():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            **row["crontab"], day_of_week="*", day_of_month="*", month_of_year="*", timezone=UTC
        )
        PeriodicTask.objects.update_or_create(name=row["name"], defaults={
            "task": row["task"], "crontab": crontab, "args": json.dumps(row["args"]),
            "kwargs": json.dumps(row["kwargs"]), "description": row["description"], "enabled": True,
        })
    _mark_changed(apps)


def schedule_delete(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[row["name"] for row in _schedule()]).delete()
    for timing in (NIGHTLY, HOURLY):
        # Other tasks may share a crontab; only drop ours when nothing uses it any more.
        CrontabSchedule.objects.filter(
            **timing, day_of_week="*", day_of_month="*", month_of_year="*", timezone=UTC, periodictask=None
        ).delete()
    _mark_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0002_similar_pair_view"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule_create, schedule_delete)]
