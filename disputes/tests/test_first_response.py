"""The supplier's first answer is stored on the dispute once its clock runs (insights' response
times read it), and disputes from before the column get it from their timeline."""

import importlib
from datetime import UTC, datetime

from django.apps import apps

from core.tenancy import cross_tenant_scope
from disputes import services
from disputes.models import Dispute
from disputes.tests.samples import png_upload

START = datetime(2026, 3, 2, 10, tzinfo=UTC)


def at(hour):
    return START.replace(hour=hour)


def test_a_supplier_message_sets_the_first_answer_once(disputes, time_machine):
    time_machine.move_to(at(10), tick=False)
    dispute = disputes.open(kind="problem", reason="not_received")
    disputes.call("acme_agent", services.dispute_message_post, dispute, body="Any news?")
    assert disputes.refresh(dispute).first_response_at is None  # the merchant is not an answer
    time_machine.move_to(at(12), tick=False)
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Checking.")
    time_machine.move_to(at(15), tick=False)
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Found it.")
    assert disputes.refresh(dispute).first_response_at == at(12)


def test_the_clock_waits_for_required_evidence(disputes, time_machine):
    time_machine.move_to(at(10), tick=False)
    dispute = disputes.open(kind="problem", reason="damaged")  # needs a photo
    time_machine.move_to(at(11), tick=False)
    disputes.call("shenzhen_agent", services.dispute_message_post, dispute, body="Photo please.")
    assert disputes.refresh(dispute).first_response_at is None
    time_machine.move_to(at(12), tick=False)
    disputes.call("acme_agent", services.dispute_attachment_add, dispute, upload=png_upload())
    time_machine.move_to(at(14), tick=False)
    disputes.call("shenzhen_agent", services.proposal_create, dispute, resolution="reship")
    assert disputes.refresh(dispute).first_response_at == at(14)


def test_the_backfill_reads_the_timeline(disputes, time_machine):
    time_machine.move_to(at(10), tick=False)
    plain = disputes.open(kind="problem", reason="not_received")
    time_machine.move_to(at(13), tick=False)
    disputes.call("shenzhen_agent", services.dispute_message_post, plain, body="Checking.")
    silent = disputes.open(kind="problem", reason="not_received")
    with cross_tenant_scope(reason="test"):
        Dispute.cross_tenant_objects.update(first_response_at=None)
    migration = importlib.import_module("disputes.migrations.0003_recovery_ledger")
    migration.backfill_first_response(apps, None)
    assert disputes.refresh(plain).first_response_at == at(13)
    assert disputes.refresh(silent).first_response_at is None
