"""Celery beat's schedule for alert mails: new matches of saved searches and price drops, every 15 minutes.

The row lives in django_celery_beat's tables, so admins can change the timing or disable it in the admin.
"""

import json
from zoneinfo import ZoneInfo

from django.db import migrations
from django.utils import timezone

UTC = ZoneInfo("UTC")
NAME = "Send alerts (every 15 minutes)"
EVERY_15_MINUTES = {"minute": "*/15", "hour": "*"}


def _mark_changed(apps) -> None:
    # PeriodicTask.save() does this outside migrations; a running beat reloads its schedule when it moves.
    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()}
    )


def schedule_create(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        **EVERY_15_MINUTES, day_of_week="*", day_of_month="*", month_of_year="*", timezone=UTC
    )
    PeriodicTask.objects.update_or_create(name=NAME, defaults={
        "task": "listings.tasks.alerts_send", "crontab": crontab, "args": json.dumps([]),
        "kwargs": json.dumps({}), "enabled": True,
        "description": "Mail each user one digest of new matches for their saved searches and price drops "
                       "on their favorites.",
    })
    _mark_changed(apps)


def schedule_delete(apps, schema_editor) -> None:
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()
    # Other tasks may share the crontab; only drop it when nothing uses it any more.
    CrontabSchedule.objects.filter(
        **EVERY_15_MINUTES, day_of_week="*", day_of_month="*", month_of_year="*", timezone=UTC, periodictask=None
    ).delete()
    _mark_changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("listings", "0002_alerts_sent"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule_create, schedule_delete)]
