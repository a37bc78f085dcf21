"""The admin site's log-in counts failed attempts like the site's own (``accounts.login_attempts``)."""

from __future__ import annotations

from django.contrib import admin

from accounts.forms import AdminLoginForm

admin.site.login_form = AdminLoginForm
