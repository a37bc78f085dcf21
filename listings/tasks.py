"""Background work for listings: thin tasks that take ids and call one service.

Mail that fails for a reason that can pass (see ``mail_error_transient``) is tried again with backoff;
a refusal fails the task at once. Both tasks are safe to run twice: what was mailed is recorded in the
transaction that sends it.
"""

from __future__ import annotations

from celery import Task, shared_task

from listings import alerts
from listings.notifications import inquiry_mail_send, mail_error_transient

MAIL_RETRIES = 5
MAIL_RETRY_SECONDS = 30  # doubles on each try: 30 s, 1, 2, 4 then 8 minutes


@shared_task(bind=True, max_retries=MAIL_RETRIES)
def inquiry_mail(self: Task, inquiry_id: int) -> None:
    """Mail an inquiry to its seller; safe to run twice (a mailed inquiry is not sent again)."""
    try:
        inquiry_mail_send(inquiry_id=inquiry_id)
    except OSError as error:  # smtplib's errors are OSErrors
        _retry_if_transient(self, error)
        raise


@shared_task(bind=True, max_retries=MAIL_RETRIES)
def alerts_send(self: Task) -> None:
    """Mail alert digests (run by beat every 15 minutes); safe to run twice, nothing is mailed twice."""
    try:
        alerts.alerts_send()
    except OSError as error:
        _retry_if_transient(self, error)
        raise


def _retry_if_transient(task: Task, error: OSError) -> None:
    """Raise celery's Retry (or ``error`` once the retries are spent) when the mail server may recover."""
    if mail_error_transient(error):
        raise task.retry(exc=error, countdown=MAIL_RETRY_SECONDS * 2 ** task.request.retries)
