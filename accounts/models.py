import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.ids import new_id


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        # E-mail is the login: one spelling per person, whatever case they type.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: follow the browser."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    is_staff = models.BooleanField(
        _("platform operator"),
        default=False,
        help_text=_("Can log into the platform admin."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined at"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_lower_case"
            ),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.name or self.email


class OrganizationKind(models.TextChoices):
    MERCHANT = "merchant", _("merchant")
    SUPPLIER = "supplier", _("supplier")


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 alpha-2 code.")
    )
    # Where its days begin and end: analytics periods ("from", "to") are its local dates.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    # Only verified suppliers take part in in-app disputes (DESIGN.md, "The parties").
    verified = models.BooleanField(_("verified"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self):
        return self.name

    @property
    def is_merchant(self) -> bool:
        return self.kind == OrganizationKind.MERCHANT

    @property
    def is_supplier(self) -> bool:
        return self.kind == OrganizationKind.SUPPLIER


class Role(models.TextChoices):
    OWNER = "owner", _("owner")  # merchant: members, webhooks, rules, billing
    MANAGER = "manager", _("manager")  # merchant: rules and everything an agent does
    AGENT = "agent", _("agent")  # merchant or supplier: works orders and disputes
    VIEWER = "viewer", _("viewer")  # merchant: reads only
    ADMIN = "admin", _("admin")  # supplier: manages the supplier's own team


ROLES_BY_KIND = {
    OrganizationKind.MERCHANT: frozenset({Role.OWNER, Role.MANAGER, Role.AGENT, Role.VIEWER}),
    OrganizationKind.SUPPLIER: frozenset({Role.ADMIN, Role.AGENT}),
}
# Who may change orders and disputes; viewers read only.
MERCHANT_WORKERS = frozenset({Role.OWNER, Role.MANAGER, Role.AGENT})
MERCHANT_MANAGERS = frozenset({Role.OWNER, Role.MANAGER})
MERCHANT_OWNERS = frozenset({Role.OWNER})
SUPPLIER_WORKERS = frozenset({Role.ADMIN, Role.AGENT})


class Membership(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_one_per_user_and_organization"
            )
        ]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"

    def clean(self):
        if self.organization_id and self.role not in ROLES_BY_KIND[self.organization.kind]:
            raise ValidationError(
                {
                    "role": _("This role does not exist in a %(kind)s organization.")
                    % {"kind": self.organization.get_kind_display()}
                }
            )


class ApiToken(models.Model):
    """A bearer token for one user acting in one organization. Only its hash is stored."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so that a person can tell tokens apart.
    key_prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "organization"])]

    def __str__(self):
        return f"{self.key_prefix}… ({self.user}, {self.organization})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
