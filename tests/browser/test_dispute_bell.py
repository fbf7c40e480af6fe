import re

from django.core import mail
from playwright.sync_api import expect

from disputes import services as dispute_services
from disputes.tests.conftest import Disputes
from notifications import services
from notifications.tasks import email_delivery_send_task
from tests.browser.conftest import log_in


def deliver_now(email_ids, webhook_ids):
    # The real task, run at once instead of by a Celery worker: the e-mail really goes,
    # in the scope the task sets (the merchant's, not the replying supplier's).
    for delivery_id in email_ids:
        email_delivery_send_task(delivery_id=delivery_id)


def test_the_merchants_bell_rises_when_the_supplier_replies(page, world, settings, monkeypatch):
    settings.NOTIFICATION_BELL_POLL_SECONDS = 1
    monkeypatch.setattr(services, "enqueue_deliveries", deliver_now)
    disputes = Disputes(world)
    dispute = disputes.open()
    log_in(page, "acme_owner@example.test")
    page.goto(page.url.split("/app/")[0] + f"/app/disputes/{dispute.pk}/")
    count = page.locator("#notification-bell .bell-count")
    expect(count).to_have_attribute("data-count", "0")
    page.evaluate("window.notLoadedAgain = true")
    mail.outbox.clear()

    disputes.call(
        "shenzhen_agent", dispute_services.dispute_message_post, dispute, body="Reshipping today."
    )

    expect(count).to_have_text("1", timeout=8_000)
    assert page.evaluate("window.notLoadedAgain") is True
    expect(page).to_have_url(re.compile(rf"/app/disputes/{dispute.pk}/$"))
    assert "acme_owner@example.test" in {message.to[0] for message in mail.outbox}
