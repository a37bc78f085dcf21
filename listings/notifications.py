"""Mail sent to people about listings."""

from __future__ import annotations

import smtplib
import socket

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from listings.models import Inquiry
from trustasset.links import site_url

_SUBJECT_LENGTH = 150


def inquiry_mail_send(*, inquiry_id: int) -> bool:
    """Mail the inquiry to the seller once; False when it was already mailed or is gone."""
    with transaction.atomic():
        inquiry = (
            Inquiry.objects.select_for_update(of=("self",))
            .select_related("listing__seller", "sender")
            .filter(pk=inquiry_id, mailed_at__isnull=True)
            .first()
        )
        if inquiry is None:
            return False
        listing = inquiry.listing
        if listing.seller is None or not listing.seller.email:
            return False
        body = (
            f"{inquiry.sender.get_username()} asks about your listing \"{listing.title}\":\n\n"
            f"{inquiry.message}\n\n"
            f"Reply to: {inquiry.reply_to}\n"
            f"Listing: {site_url(listing.get_absolute_url())}\n"
        )
        EmailMessage(
            # One line: a mail header cannot hold the line breaks an imported or API-written title may.
            subject=" ".join(f"Question about {listing.title}".split())[:_SUBJECT_LENGTH],
            body=body,
            to=[listing.seller.email],
            reply_to=[inquiry.reply_to],
        ).send()
        inquiry.mailed_at = timezone.now()
        inquiry.save(update_fields=["mailed_at"])
    return True


def mail_error_transient(error: OSError) -> bool:
    """Whether a send that failed with ``error`` can succeed later: the mail server unreachable, gone or
    answering "try again later" (4xx). A refusal (5xx: bad login, unknown recipient) or a local error is final."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, ConnectionError | TimeoutError | socket.gaierror | smtplib.SMTPServerDisconnected)
