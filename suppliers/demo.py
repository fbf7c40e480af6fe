"""Links between the demo merchants and suppliers (API.md, "Demo data")."""

from django.utils import timezone

from accounts.models import Organization
from suppliers.services import supplier_link_create

LINKS = [
    ("acme", "shenzhen-supply"),
    ("globex", "shenzhen-supply"),
    ("acme", "yiwu-goods"),
    ("acme", "ali-market"),
]


def seed(log) -> None:
    organizations = {o.slug: o for o in Organization.objects.all()}
    for merchant, supplier in LINKS:
        supplier_link_create(merchant=organizations[merchant], supplier=organizations[supplier])
    Organization.objects.filter(verified=True, verified_at__isnull=True).update(
        verified_at=timezone.now()
    )
    log(f"{len(LINKS)} supplier links")
