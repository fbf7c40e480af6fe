"""Demo organizations and users exactly as API.md lists them (seed_demo, idempotent)."""

from accounts.models import Membership, Organization, OrganizationKind, Role, User
from accounts.services import organization_time_zone_for_new

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105 — published in API.md for the demo only

ORGANIZATIONS = [
    # slug, kind, name, country, verified
    ("acme", OrganizationKind.MERCHANT, "Acme Outdoor", "US", False),
    ("globex", OrganizationKind.MERCHANT, "Globex Home", "DE", False),
    ("shenzhen-supply", OrganizationKind.SUPPLIER, "Shenzhen Supply Co.", "CN", True),
    ("yiwu-goods", OrganizationKind.SUPPLIER, "Yiwu Goods Trading", "CN", True),
    ("ali-market", OrganizationKind.SUPPLIER, "Ali Market Wholesale", "CN", False),
]

USERS = [
    # e-mail, name, [(organization slug, role)]
    ("owner@acme.test", "Olivia Owner", [("acme", Role.OWNER)]),
    ("agent@acme.test", "Adam Agent", [("acme", Role.AGENT)]),
    ("viewer@acme.test", "Vera Viewer", [("acme", Role.VIEWER)]),
    ("owner@globex.test", "Gustav Owner", [("globex", Role.OWNER)]),
    ("ops@agency.test", "Oscar Ops", [("acme", Role.AGENT), ("globex", Role.AGENT)]),
    ("staff@shenzhen-supply.test", "Li Wei", [("shenzhen-supply", Role.ADMIN)]),
    ("staff@yiwu-goods.test", "Zhang Min", [("yiwu-goods", Role.ADMIN)]),
]


def seed(log) -> None:
    organizations = {}
    for slug, kind, name, country, verified in ORGANIZATIONS:
        organizations[slug], _ = Organization.objects.update_or_create(
            slug=slug,
            defaults={
                "kind": kind,
                "name": name,
                "country": country,
                "time_zone": organization_time_zone_for_new(country=country),
            },
        )
        if organizations[slug].verified != verified:
            organizations[slug].verified = verified
            organizations[slug].save(update_fields=["verified"])
    for email, name, roles in USERS:
        user = _user(email, name)
        for slug, role in roles:
            Membership.objects.update_or_create(
                user=user, organization=organizations[slug], defaults={"role": role}
            )
    admin = _user("admin@redress.test", "Platform Admin")
    if not (admin.is_staff and admin.is_superuser):
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    log(f"{len(ORGANIZATIONS)} organizations, {len(USERS) + 1} users")


def _user(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
