"""Sign-ins through the pages (Django's auth signals) go to the audit log.

Django's login view and every authenticate() call announce themselves by signal; the API's
token issue records its own successes (accounts.services.api_token_issue).
"""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts import services
from accounts.models import User


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def record_sign_in(sender, request, user, **kwargs):
    services.audit_sign_in(
        request=request, account=user, email=user.email, succeeded=True, channel="web"
    )


@receiver(user_login_failed, dispatch_uid="audit-failed-sign-in")
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    email = User.objects.normalize_email(str(credentials.get("username") or ""))
    account = User.objects.filter(email=email).first() if email else None
    channel = "api" if request is not None and request.path.startswith("/api/") else "web"
    services.audit_sign_in(
        request=request, account=account, email=email, succeeded=False, channel=channel
    )
