"""Who a recommendation is for: a signed-in user or an anonymous visitor's session."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from rest_framework.request import Request


@dataclass(frozen=True)
class Actor:
    """A signed-in user or an anonymous session: whoever interactions and profiles belong to."""

    user_id: int | None = None
    session_key: str = ""

    def __post_init__(self) -> None:
        if (self.user_id is None) == (not self.session_key):
            raise ValueError("An actor is either a user or a session, not both or neither.")

    @property
    def key(self) -> str:
        return f"user:{self.user_id}" if self.user_id is not None else f"session:{self.session_key}"

    @property
    def lookup(self) -> dict[str, Any]:
        """Filter arguments for rows that belong to this actor (interactions, profiles)."""
        if self.user_id is not None:
            return {"user_id": self.user_id}
        return {"user__isnull": True, "session_key": self.session_key}


def actor_from_request(request: HttpRequest | Request, *, create_session: bool = False) -> Actor | None:
    """The request's user, else its session; an anonymous visitor without a session gets one only when
    ``create_session`` (e.g. to log what they see), otherwise None."""
    if request.user.is_authenticated:
        return Actor(user_id=request.user.pk)
    if request.session.session_key is None:
        if not create_session:
            return None
        request.session.save()
        request.session.modified = True  # so the middleware sends the new session's cookie
    return Actor(session_key=request.session.session_key or "")
