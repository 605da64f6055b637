from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.forms import PreferencesForm, SignupForm


@login_not_required
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to Tend. Start by adding the people who matter.")
        return redirect("dashboard")
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Settings saved.")
        return redirect("settings")
    from connections.models import Delivery

    deliveries = Delivery.objects.filter(owner=request.user).exclude(
        status=Delivery.Status.SKIPPED
    )[:10]
    calendar_url = (
        settings.SITE_URL + reverse("calendar_feed", args=[request.user.calendar_token])
        if request.user.calendar_token
        else ""
    )
    return render(
        request,
        "accounts/settings.html",
        {"form": form, "deliveries": deliveries, "calendar_url": calendar_url},
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    # Like every email's, these are Jinja2 templates (templates/jinja2/emails/): Django's
    # loader finds them in the "emails" engine.
    email_template_name = "emails/password-reset-body-text.txt"
    html_email_template_name = "emails/password-reset-body-html.html"
    subject_template_name = "emails/password-reset-subject.txt"

    def form_valid(self, form):
        # Links point at SITE_URL, never at whatever Host header the request carried.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)
