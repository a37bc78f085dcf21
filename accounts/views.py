"""Sign up and log in (Django's login, plus adopting the anonymous history); logout is Django's own view."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginForm, SignupForm
from listings.throttles import PageRateThrottle
from recommendations.services.profiles import interactions_adopt
from trustasset.http import next_url, redirect_back


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and sign straight in."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        # Every attempt counts, per client address: account spam stops here, not at the first success.
        throttle = PageRateThrottle(scope="signups")
        if not throttle.allow(request):
            form.add_error(None, f"Too many sign-ups from your address; try again in {throttle.wait_minutes()} min.")
            return render(request, "accounts/signup.html", {"form": form, "next": next_url(request)}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        session_key = request.session.session_key or ""  # login() gives the session a new key
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        interactions_adopt(session_key=session_key, user_id=user.pk)
        messages.success(request, f"Welcome to TrustAsset, {user.get_username()}.")
        return redirect_back(request, default=settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url(request)})


class LoginView(auth_views.LoginView):
    """Django's login, and what the visitor did before signing in joins their account's history.

    Too many failed log-ins for a username from one address answer 429 (``accounts.login_attempts``).
    """

    form_class = LoginForm
    http_method_names = ["get", "head", "post", "options"]  # not Django's PUT alias of POST
    redirect_authenticated_user = True

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if isinstance(form, LoginForm) and form.has_error(NON_FIELD_ERRORS, code="locked_out"):
            response.status_code = 429
            response["Retry-After"] = str(form.lockout_seconds)
        return response

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        session_key = self.request.session.session_key or ""
        response = super().form_valid(form)
        interactions_adopt(session_key=session_key, user_id=form.get_user().pk)
        return response
