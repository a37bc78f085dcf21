"""Background work for listings: thin tasks that take ids and call one service."""

from __future__ import annotations

from celery import shared_task

from listings import alerts
from listings.notifications import inquiry_mail_send


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def inquiry_mail(inquiry_id: int) -> None:
    """Mail an inquiry to its seller; safe to run twice (a mailed inquiry is not sent again)."""
    inquiry_mail_send(inquiry_id=inquiry_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def alerts_send() -> None:
    """Mail alert digests (run by beat every 15 minutes); safe to run twice, nothing is mailed twice."""
    alerts.alerts_send()
