from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class PlatformInsight(Organization):
    """The platform's analytics page in the admin (a proxy: it adds no table)."""

    class Meta:
        proxy = True
        verbose_name = _("platform insight")
        verbose_name_plural = _("platform insights")
