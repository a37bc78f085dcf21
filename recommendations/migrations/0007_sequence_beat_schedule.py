"""Celery beat: the next-item (SASRec) model of each kind is retrained nightly, after the encoders.

Like 0003, the rows live in django_celery_beat's tables so admins can change or disable them.
"""

import json
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone

UTC = ZoneInfo("UTC")
NIGHTLY = {"minute": "0", "hour": "5"}  # 05:00 UTC: the 03:00 encoder retrains give it fresh content vectors


def _names() -> list[str]:
    return [f"Retrain {kind} next-item model (nightly)" for kind in ("home", "car")]


def _mark_changed(apps) -> None:
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def schedule_create(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        **NIGHTLY, day_of_week="*", day_of_month="*", month_of_year="*", timezone=UTC
    )
    for kind, name in zip(("home", "car"), _names(), strict=True):
        PeriodicTask.objects.update_or_create(name=name, defaults={
            "task": "recommendations.tasks.sequence_model_train", "crontab": crontab, "args": json.dumps([kind]),
            "kwargs": "{}", "enabled": True,
            "description": f"Train a new SASRec model on the {kind} interaction sequences, then activate it.",
        })
    _mark_changed(apps)


def schedule_delete(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=_names()).delete()
    CrontabSchedule.objects.filter(
        **NIGHTLY, day_of_week="*", day_of_month="*", month_of_year="*", timezone=UTC, periodictask=None
    ).delete()
    _mark_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("recommendations", "0006_sequence_algorithm"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule_create, schedule_delete)]
