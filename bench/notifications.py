"""Notification throughput: events through notify() (in-app rows + e-mail outbox rows),
then the e-mail sends (rendered per recipient, locmem backend), as a worker does them.

.venv/bin/python bench/notifications.py [--events 2000]

Each event tells 5 merchant members and 2 supplier members: 7 in-app notifications and
7 e-mails. The broker is left out (enqueueing is replaced by collecting the ids), so the
figures measure the engine and the database, not Redis.
"""

import argparse
import os
import time

os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from _setup import settings  # noqa: F401 — Django is set up on import
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils.translation import gettext_noop

from accounts.models import Membership, Organization, OrganizationKind, Role, User
from notifications import services
from notifications.events import Event, Recipients, Text
from notifications.models import EmailDelivery, NotificationEvent

MERCHANT_ROLES = [Role.OWNER, Role.MANAGER, Role.AGENT, Role.AGENT, Role.VIEWER]


def world():
    merchant, _ = Organization.objects.get_or_create(
        slug="bench-notify-shop", defaults={"kind": OrganizationKind.MERCHANT, "name": "Shop"}
    )
    supplier, _ = Organization.objects.get_or_create(
        slug="bench-notify-supplier",
        defaults={"kind": OrganizationKind.SUPPLIER, "name": "Supplier", "verified": True},
    )
    people = [(merchant, role) for role in MERCHANT_ROLES] + [
        (supplier, Role.ADMIN),
        (supplier, Role.AGENT),
    ]
    for number, (organization, role) in enumerate(people):
        user, _ = User.objects.get_or_create(
            email=f"bench-notify-{number}@example.test",
            defaults={"language": "es" if number % 2 else ""},
        )
        Membership.objects.get_or_create(user=user, organization=organization, role=role)
    return merchant, supplier


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    count = parser.parse_args().events
    call_command("migrate", verbosity=0)
    merchant, supplier = world()
    NotificationEvent.cross_tenant_objects.filter(merchant=merchant).delete()
    email_ids: list[str] = []
    services.enqueue_deliveries = lambda emails, hooks: email_ids.extend(emails)

    started = time.perf_counter()
    for number in range(count):
        with transaction.atomic():  # each event in its own domain transaction
            services.notify(
                event=Event(
                    type="dispute.message",
                    merchant=merchant,
                    dedup_key=f"bench:{number}",
                    title=Text(gettext_noop("Dispute #%(number)s opened"), {"number": number}),
                    body=Text(gettext_noop("Log out")),
                    url=f"/app/disputes/{number}/",
                    data={"dispute": {"number": number}},
                    recipients=(Recipients(merchant), Recipients(supplier)),
                )
            )
    elapsed = time.perf_counter() - started
    print(
        f"notify: {count:,} events in {elapsed:.1f} s: {count / elapsed:,.0f} events/s "
        f"({7 * count / elapsed:,.0f} in-app notifications/s, same e-mail rows/s)"
    )

    mail.outbox = []
    started = time.perf_counter()
    for delivery_id in email_ids:
        services.email_delivery_send(delivery_id=delivery_id)
    elapsed = time.perf_counter() - started
    assert len(mail.outbox) == len(email_ids) == 7 * count
    print(
        f"e-mail: {len(email_ids):,} sent (claimed, rendered, locmem) in {elapsed:.1f} s: "
        f"{len(email_ids) / elapsed:,.0f} e-mails/s"
    )
    NotificationEvent.cross_tenant_objects.filter(merchant=merchant).delete()
    assert not EmailDelivery.cross_tenant_objects.filter(merchant=merchant).exists()


if __name__ == "__main__":
    main()
