"""Mail tasks: a send that can succeed later is retried with backoff, a refusal fails at once."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Sequence
from typing import Any

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from listings.models import Inquiry
from listings.notifications import mail_error_transient
from listings.tasks import MAIL_RETRIES, inquiry_mail
from tests.factories import HomeFactory, UserFactory

pytestmark = pytest.mark.django_db


class ScriptedBackend(BaseEmailBackend):
    """Raises the next of ``failures`` on each send, then delivers to ``mail.outbox``."""

    failures: list[OSError] = []
    attempts = 0

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        ScriptedBackend.attempts += 1
        if ScriptedBackend.failures:
            raise ScriptedBackend.failures.pop(0)
        mail.outbox.extend(email_messages)
        return len(email_messages)


@pytest.fixture
def scripted(settings: Any, mailoutbox: list[Any]) -> type[ScriptedBackend]:
    settings.EMAIL_BACKEND = f"{__name__}.ScriptedBackend"
    ScriptedBackend.failures, ScriptedBackend.attempts = [], 0
    return ScriptedBackend


@pytest.fixture
def inquiry() -> Inquiry:
    home = HomeFactory(seller=UserFactory(username="seller"), title="Sunny house")
    return Inquiry.objects.create(listing=home, sender=UserFactory(), message="Still available?",
                                  reply_to="b@example.com")


def test_it_retries_an_inquiry_with_backoff_while_the_mail_server_is_unreachable(
    scripted: type[ScriptedBackend], inquiry: Inquiry, mailoutbox: list[Any]
) -> None:
    scripted.failures = [ConnectionRefusedError(111, "Connection refused"), smtplib.SMTPServerDisconnected("gone")]

    for retries in range(2):  # each failed try asks to be retried, 30 s then 60 s later
        with pytest.raises(Retry, match=f"Retry in {30 * 2 ** retries}s"):
            inquiry_mail.apply(args=[inquiry.pk], retries=retries, throw=True)
    inquiry_mail.apply(args=[inquiry.pk], retries=2, throw=True)

    inquiry.refresh_from_db()
    assert scripted.attempts == 3
    assert [message.subject for message in mailoutbox] == ["Question about Sunny house"]
    assert inquiry.mailed_at is not None


def test_it_mails_a_title_with_line_breaks_under_a_one_line_subject(mailoutbox: list[Any]) -> None:
    home = HomeFactory(seller=UserFactory(username="seller"), title="Sunny\r\nhouse\nBcc: spam@example.com")
    sent = Inquiry.objects.create(listing=home, sender=UserFactory(), message="Still available?",
                                  reply_to="b@example.com")

    inquiry_mail.apply(args=[sent.pk], throw=True)

    assert [message.subject for message in mailoutbox] == ["Question about Sunny house Bcc: spam@example.com"]
    assert mailoutbox[0].bcc == []


def test_it_fails_at_once_when_the_mail_server_refuses_the_recipient(
    scripted: type[ScriptedBackend], inquiry: Inquiry, mailoutbox: list[Any]
) -> None:
    scripted.failures = [smtplib.SMTPRecipientsRefused({"seller@example.com": (550, b"No such user")})]

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        inquiry_mail.delay(inquiry.pk)

    inquiry.refresh_from_db()
    assert (scripted.attempts, mailoutbox, inquiry.mailed_at) == (1, [], None)


def test_it_gives_up_after_the_last_retry(scripted: type[ScriptedBackend], inquiry: Inquiry) -> None:
    scripted.failures = [smtplib.SMTPResponseException(421, b"Try again later")]

    with pytest.raises(smtplib.SMTPResponseException):
        inquiry_mail.apply(args=[inquiry.pk], retries=MAIL_RETRIES, throw=True)

    inquiry.refresh_from_db()
    assert (scripted.attempts, inquiry.mailed_at) == (1, None)


@pytest.mark.parametrize(("error", "transient"), [
    (ConnectionRefusedError(111, "Connection refused"), True),
    (TimeoutError("timed out"), True),
    (socket.gaierror(-3, "Temporary failure in name resolution"), True),
    (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
    (smtplib.SMTPResponseException(421, b"Service not available"), True),
    (smtplib.SMTPDataError(452, b"Insufficient storage"), True),
    (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"Mailbox busy")}), True),
    (smtplib.SMTPRecipientsRefused({"a@example.com": (450, b"Busy"), "b@example.com": (550, b"Unknown")}), False),
    (smtplib.SMTPAuthenticationError(535, b"Authentication failed"), False),
    (smtplib.SMTPSenderRefused(553, b"Sender not allowed", "no-reply@trustasset.local"), False),
    (smtplib.SMTPNotSupportedError("STARTTLS extension not supported"), False),
    (PermissionError(13, "Permission denied"), False),
])
def test_it_tells_mail_errors_that_can_pass_from_refusals(error: OSError, transient: bool) -> None:
    assert mail_error_transient(error) is transient
