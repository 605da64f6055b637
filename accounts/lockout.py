def login_attempt_email(request, credentials: dict | None) -> str | None:
    """The email a login attempt was for, lowercased so case changes share one lock-out.

    Django may pass credentials keyed by the username field ("email") or by "username".
    """
    values = {str(key): value for key, value in (credentials or {}).items()}
    email = values.get("username") or values.get("email")
    if email is None and request is not None:
        email = request.POST.get("username")
    return email.strip().lower() if email else None
