"""Account forms."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm, UsernameField
from django.contrib.auth.models import User

from accounts.login_attempts import (
    LOCKOUT_MESSAGE,
    login_failure_record,
    login_failures_clear,
    login_lockout_seconds,
)
from listings.throttles import client_ip


class SignupForm(UserCreationForm):
    email = forms.EmailField(help_text="Sellers reply to buyers here; we never show it on the site.")

    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email already exists; log in instead.")
        return email


class LoginForm(AuthenticationForm):
    """Django's log-in form, refusing a username locked out for the client's address before the password
    is even checked (a locked-out guesser learns nothing); ``lockout_seconds`` is then the time left.
    The counts are ``accounts.login_attempts``'s, shared with the API's token endpoint and the admin's log-in."""

    lockout_seconds = 0

    def clean(self) -> dict[str, Any]:
        assert self.request is not None, "LoginForm needs the request (the client's address)."
        attempt = {"username": self.cleaned_data.get("username") or "", "ip": client_ip(self.request)}
        self.lockout_seconds = login_lockout_seconds(**attempt)
        if self.lockout_seconds:
            minutes = math.ceil(self.lockout_seconds / 60)
            raise forms.ValidationError(f"{LOCKOUT_MESSAGE} Try again in {minutes} min.", code="locked_out")
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                login_failure_record(**attempt)
            raise
        if self.user_cache is not None:  # without a password nothing was tried: the count stays
            login_failures_clear(**attempt)
        return cleaned


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin site's log-in (staff only), with the same lockout."""
