"""The timeline's sentences as the reader reads them."""

from types import SimpleNamespace

from django.utils import translation

from disputes.wording import describe


def event(**data):
    return SimpleNamespace(data=data, body="")


def test_a_reship_names_its_carrier_not_its_code():
    fulfilled = event(code="fulfilled", carrier="ups", tracking_number="1Z999AA10123456784")
    assert describe(fulfilled) == "Shipped again: UPS tracking number 1Z999AA10123456784."
    posted = event(code="fulfilled", carrier="upu", tracking_number="RR123456785CN")
    with translation.override("es"):
        assert "Correo internacional (UPU S10)" in describe(posted)


def test_a_carrier_redress_does_not_know_is_shown_as_written():
    fulfilled = event(code="fulfilled", carrier="Royal Mail", tracking_number="AB12345678")
    assert "Royal Mail" in describe(fulfilled)


def test_a_status_change_reads_as_a_sentence():
    change = event(code="proposal_made", to="resolution_proposed", resolution="reship")
    assert describe(change) == "Proposed: reship."
    status_only = event(code="", to="awaiting_supplier")
    assert describe(status_only) == "The dispute is now waiting for the supplier's answer."


def test_money_in_a_timeline_sentence_is_written_as_its_reader_writes_it():
    proposed = event(
        code="proposal_made",
        to="resolution_proposed",
        resolution="refund",
        amount="30.00",
        currency="USD",
    )
    with translation.override("en"):
        assert describe(proposed) == "Proposed: full refund ($30.00)."
    with translation.override("es"):
        spanish = describe(proposed)
    assert "30,00\xa0US$" in spanish
    assert "30.00 USD" not in spanish
    yen = event(code="proposal_made", resolution="refund", amount="1500", currency="JPY")
    assert "¥1,500)" in describe(yen)
