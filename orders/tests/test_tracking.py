"""Tests for orders.tracking (pure Python: run with -p no:django).

Every number marked "published" below was also checked by hand-computing its check digit.
Sources:
  [wiki]  Wikipedia, "S10 (UPU standard)": 47312482 -> check digit 9.
  [jkeen] github.com/jkeen/tracking_number_data, couriers/*.json "test_numbers".
  [ups]   wheremy.com/ups-tracking: 1Z 999 AA1 01 2345 6784.
  [cn]    com.chinagoods...UDFLogisticNoValid.java (public Hive UDF), example numbers.
  [cnusup] cnusup.com "Package tracking numbers explained": LP00724622449605.
Numbers marked "synthetic" only follow a format; those carriers have no check digit.
"""

import time

import pytest

from orders.tests.tracking_samples import PUBLISHED_TEST_NUMBERS
from orders.tracking import (
    CARRIERS,
    TrackingCheck,
    check_tracking_number,
    normalise_tracking_number,
    s10_check_digit,
)

PUBLISHED_WITH_CHECK_DIGIT = [
    ("RR123456785CN", "upu"),  # S10 serial 12345678 -> 5, same serial as [jkeen] RB123456785GB
    ("EE123456785US", "upu"),
    ("RB123456785GB", "upu"),  # [jkeen]
    ("1Z999AA10123456784", "ups"),  # [ups]
    ("1Z5R89390357567127", "ups"),  # [jkeen]
    ("1Z879E930346834440", "ups"),  # [jkeen]
    ("1Z410E7W0392751591", "ups"),  # [jkeen]
    ("9400111201080805483016", "usps"),  # [jkeen] IMpb 22
    ("9505511069605048600624", "usps"),  # [jkeen]
    ("9361289878700317633795", "usps"),  # [jkeen]
    ("92748931507708513018050063", "usps"),  # [jkeen] IMpb 26
    ("420221539101026837331000039521", "usps"),  # [jkeen] 420 + ZIP5 routing prefix
    ("4201002334249200190132607600833457", "usps"),  # [jkeen] 420 + ZIP+4 routing prefix
    ("03071790000523483741", "usps"),  # [jkeen] legacy 20-digit
    ("71969010756003077385", "usps"),  # [jkeen] legacy 20-digit, check over "91" + number
    ("986578788855", "fedex"),  # [jkeen] Express 12
    ("477179081230", "fedex"),  # [jkeen]
    ("799531274483", "fedex"),  # [jkeen]
    ("041441760228964", "fedex"),  # [jkeen] Ground 15
    ("568283610012734", "fedex"),  # [jkeen]
    ("9611020987654312345672", "fedex"),  # [jkeen] Ground 96 (22)
    ("1001921334250001000300779017972697", "fedex"),  # [jkeen] Express 34
    ("1195266473930007521100871079919940", "fedex"),  # [jkeen] Express 34, no "100" prefix
    ("32971514560102447849175802862014", "fedex"),  # [jkeen] ASTRA 32
    ("000123450000000027", "fedex"),  # [jkeen] Ground SSCC-18
    ("K1506235620", "ups"),  # [jkeen] waybill
    ("9622001900000000000000776632517510", "fedex"),  # [jkeen] Ground GSN 34
    ("3318810025", "dhl"),  # [jkeen] Express waybill, mod 7
    ("8487135506", "dhl"),  # [jkeen]
    ("73891051146", "dhl"),  # [jkeen] 11-digit waybill
]

# One payload digit changed in published numbers (each confirmed to break its check digit).
ONE_DIGIT_CHANGED = [
    ("RR123456795CN", "upu", "expected 9, got 5"),
    ("1Z999AA10123456794", "ups", "expected 3, got 4"),
    ("9400111201080805483116", "usps", "expected 5, got 6"),
    ("986578788865", "fedex", "expected 6, got 5"),
    ("568283610012834", "fedex", "expected 3, got 4"),
    ("3318810125", "dhl", "expected 1, got 5"),
]

FORMAT_ONLY = [
    ("YT2229521272164446", "yunexpress"),  # [jkeen]
    ("YT1234567890123", "yto"),  # synthetic: YT + 13 digits (YunExpress has 16)
    ("JT0006968326954", "jt_express"),  # [cn]
    ("JT3002232682242", "jt_express"),  # [cn]
    ("LP00724622449605", "cainiao"),  # [cnusup]
    ("SF1234567890123", "sf_express"),  # synthetic
    ("4PX3000123456789CN", "4px"),  # synthetic
    ("GM2951173225174494", "dhl"),  # [jkeen] DHL eCommerce
    ("GM9E44608A27984866BA2D", "dhl"),  # [jkeen] DHL eCommerce, letters in the serial
    ("60120172242323", "dhl"),  # [jkeen] DHL eCommerce 14 digits
    ("JJD0099999999", "dhl"),  # [jkeen] DHL Express piece id
]


def test_s10_check_digit_matches_the_published_example():
    assert s10_check_digit("47312482") == 9  # [wiki]: S = 200, 11 - 200 % 11 = 9
    assert s10_check_digit("12345678") == 5


@pytest.mark.parametrize(("number", "carrier"), PUBLISHED_WITH_CHECK_DIGIT)
def test_published_numbers_are_detected_and_valid(number, carrier):
    assert check_tracking_number(number) == TrackingCheck(carrier, True, None)


@pytest.mark.parametrize(("number", "carrier"), PUBLISHED_WITH_CHECK_DIGIT)
def test_published_numbers_are_valid_for_their_carrier(number, carrier):
    assert check_tracking_number(number, carrier) == TrackingCheck(carrier, True, None)


@pytest.mark.parametrize(("number", "carrier", "detail"), ONE_DIGIT_CHANGED)
def test_one_changed_digit_breaks_the_check_digit(number, carrier, detail):
    for given in (None, carrier):
        result = check_tracking_number(number, given)
        assert result.carrier == carrier
        assert not result.valid
        assert result.problem == f"check digit mismatch: {detail}"


@pytest.mark.parametrize(
    ("number", "carrier"),
    [(number, carrier) for number, carrier in PUBLISHED_WITH_CHECK_DIGIT if len(number) != 20],
)
def test_every_wrong_check_digit_is_rejected_for_the_carrier(number, carrier):
    # S10 ends in a country code, and ASTRA labels in 4 digits after the check digit.
    check_at = len(number) - {"upu": 3, "fedex": 5 if len(number) == 32 else 1}.get(carrier, 1)
    for digit in "0123456789":
        if digit == number[check_at]:
            continue
        changed = number[:check_at] + digit + number[check_at + 1 :]
        result = check_tracking_number(changed, carrier)
        assert not result.valid, changed
        assert "check digit mismatch" in result.problem


def test_bare_20_digit_numbers_have_a_weaker_check():
    # A bare 20-digit number is USPS legacy, with the check over the number or over "91" +
    # number, so two of the ten check digits pass. No FedEx "SmartPost" reading claims it:
    # SmartPost parcels carry USPS IMpb numbers.
    results = {d: check_tracking_number("0307179000052348374" + d) for d in "0123456789"}
    passing = {d: r.carrier for d, r in results.items() if r.valid}
    assert passing == {"1": "usps", "3": "usps"}
    assert results["0"].problem == "check digit mismatch: expected 1, got 0"


def test_usps_impb_numbers_are_never_claimed_as_fedex():
    for number in ("9261292700768711948021", "92748931507708513018050063"):
        assert check_tracking_number(number) == TrackingCheck("usps", True, None)


@pytest.mark.parametrize("carrier", ["UPS Mail Innovations", "UPS", "FedEx SmartPost", "fedex"])
def test_impb_numbers_are_valid_for_the_carriers_that_hand_parcels_to_usps(carrier):
    result = check_tracking_number("9261292700768711948021", carrier)
    assert result.valid is True
    assert result.carrier in ("ups", "fedex")


@pytest.mark.parametrize(("number", "carrier"), FORMAT_ONLY)
def test_format_only_carriers_are_detected(number, carrier):
    assert check_tracking_number(number) == TrackingCheck(carrier, True, None)


@pytest.mark.parametrize(
    ("number", "carrier"),
    [
        ("77316523125896", "sto"),  # [cn]
        ("462598779470531", "yunda"),  # [cn]
        ("1240921381750", "china_post"),  # [cn]
        ("202197601431", "zto"),  # [cn] (ZTO freight)
        ("75123456789012", "zto"),  # synthetic 14-digit
    ],
)
def test_bare_digit_formats_need_the_carrier(number, carrier):
    assert check_tracking_number(number, carrier) == TrackingCheck(carrier, True, None)
    assert check_tracking_number(number).carrier != carrier


def test_s10_numbers_are_accepted_for_posts_and_consolidators():
    for carrier in ("china_post", "ems_china", "usps", "cainiao", "yanwen", "4px", "dhl"):
        assert check_tracking_number("EE123456785CN", carrier).valid
    result = check_tracking_number("EE123456786CN", "ems_china")
    assert result == TrackingCheck("ems_china", False, "check digit mismatch: expected 5, got 6")


def test_s10_country_code_must_be_letters():
    assert check_tracking_number("RR12345678512").problem == "unrecognised format"


def test_explicit_carrier_mismatch_names_the_real_format():
    result = check_tracking_number("1Z999AA10123456784", "fedex")
    assert result.carrier == "fedex"
    assert not result.valid
    assert result.problem == (
        "does not match any FedEx tracking number format; it matches the UPS format"
    )
    assert check_tracking_number("RR123456785CN", "ups").problem.startswith(
        "does not match any UPS tracking number format"
    )
    assert check_tracking_number("YT2229521272164446", "yto").problem == (
        "does not match any YTO Express tracking number format; it matches the YunExpress format"
    )


@pytest.mark.parametrize(
    ("alias", "code"),
    [
        ("UPS", "ups"),
        ("DHL Express", "dhl"),
        ("China Post", "china_post"),
        ("J&T Express", "jt_express"),
        ("SF-Express", "sf_express"),
        (" fedex ", "fedex"),
        ("United States Postal Service", "usps"),
    ],
)
def test_carrier_aliases(alias, code):
    assert check_tracking_number("ZZZ", alias).carrier == code


def test_unknown_carrier_is_kept_and_its_number_unchecked():
    # Redress cannot check a carrier it has no formats for: "unchecked" (None), never valid.
    assert check_tracking_number("AB 1234 5678", "Royal Mail") == TrackingCheck(
        "royal mail", None, None
    )
    # Looks like UPS, but we trust the client's carrier we cannot check.
    assert check_tracking_number("1Z999AA10123456785", "La Poste") == TrackingCheck(
        "la poste", None, None
    )
    short = check_tracking_number("1234567", "La Poste")
    assert short.carrier == "la poste"
    assert short.valid is False


def test_blank_carrier_means_detect():
    assert check_tracking_number("1Z999AA10123456784", "  ").carrier == "ups"


def test_normalisation():
    assert normalise_tracking_number(" 1z 999-aa1 01\t2345 6784\n") == "1Z999AA10123456784"
    assert check_tracking_number("1z 999 aa1 01 2345 6784").valid
    assert check_tracking_number("rr 123 456 785 cn", "China Post").valid
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in "1z999aa10123456784")
    assert normalise_tracking_number(full_width) == "1Z999AA10123456784"


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("", "empty"),
        (" - -  ", "empty"),
        ("1Z999AA1012345678$", "contains invalid characters"),
        ("1Z999AA1012345678É", "contains invalid characters"),
        ("\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", "contains invalid characters"),
        ("hello world", "unrecognised format"),
        ("12345", "unrecognised format"),
        ("1" * 41, "too long (more than 40 characters)"),
    ],
)
def test_garbage_is_rejected(number, problem):
    assert check_tracking_number(number) == TrackingCheck(None, False, problem)


def test_very_long_input_is_rejected_fast():
    inputs = ["1" * 10_000, "1Z" + "A" * 9_998, "9" * 5_000 + "!" * 5_000, "a " * 5_000]
    started = time.perf_counter()
    for number in inputs:
        for carrier in (None, "usps", "royal mail"):
            assert not check_tracking_number(number, carrier).valid
    assert time.perf_counter() - started < 0.5


def test_every_carrier_has_a_display_name():
    assert {"ups", "usps", "fedex", "dhl", "upu", "sf_express", "yunexpress", "cainiao"} <= set(
        CARRIERS
    )
    assert all(CARRIERS.values())


def _published(kind: str):
    index = 2 if kind == "valid" else 3
    return [
        pytest.param(number, carrier, id=f"{name}:{number.strip()}")
        for name, carrier, *numbers in PUBLISHED_TEST_NUMBERS
        for number in (numbers[index - 2])
    ]


def test_the_published_test_numbers_are_all_here():
    assert len(_published("valid")) == 100
    assert len(_published("invalid")) == 47


@pytest.mark.parametrize(("number", "carrier"), _published("valid"))
def test_every_published_valid_number_is_detected_and_valid(number, carrier):
    assert check_tracking_number(number) == TrackingCheck(carrier, True, None)
    assert check_tracking_number(number, carrier) == TrackingCheck(carrier, True, None)


@pytest.mark.parametrize(("number", "carrier"), _published("invalid"))
def test_every_published_invalid_number_is_refused_for_its_carrier(number, carrier):
    given = check_tracking_number(number, carrier)
    assert given.valid is False
    assert given.problem
    detected = check_tracking_number(number)
    assert not (detected.carrier == carrier and detected.valid)


def test_s10_country_suffix_must_be_a_country():
    assert check_tracking_number("RB123456785XX") == TrackingCheck(
        "upu", False, "unknown country code XX"
    )
    assert check_tracking_number("RB123456785CV").valid is True


def test_fedex_express_34_takes_any_form_code_but_checks_the_digit():
    assert check_tracking_number("1195583874210007521100871140316936").valid is True
    result = check_tracking_number("1195583874210007521100871140316937", "fedex")
    assert result == TrackingCheck("fedex", False, "check digit mismatch: expected 6, got 7")


@pytest.mark.parametrize(
    ("number", "carrier", "spanish"),
    [
        ("", None, "vacío"),
        ("RR12345678512", None, "formato no reconocido"),
        ("abc!defgh", None, "contiene caracteres no válidos"),
        ("x" * 50, None, "demasiado largo (más de 40 caracteres)"),
        ("abc", "someone", "demasiado corto (menos de 8 caracteres)"),
        ("RR123456785CN", "ups", "no coincide con ningún formato de número de seguimiento de UPS"),
    ],
)
def test_a_tracking_problem_is_worded_in_the_readers_language(number, carrier, spanish):
    from django.utils import translation

    from orders.tracking import problem_in_words

    problem = check_tracking_number(number, carrier).problem
    with translation.override("en"):
        assert problem_in_words(problem) == problem
    with translation.override("es"):
        assert problem_in_words(problem).startswith(spanish)


def test_a_problem_of_two_parts_and_unknown_words_are_worded_part_by_part():
    from django.utils import translation

    from orders.tracking import problem_in_words

    with translation.override("es"):
        assert problem_in_words(
            "does not match any USPS tracking number format; it matches the UPS format"
        ) == (
            "no coincide con ningún formato de número de seguimiento de USPS; "
            "coincide con el formato de UPS"
        )
        assert problem_in_words("check digit mismatch: expected 5, got 9") == (
            "dígito de control incorrecto: se esperaba 5, llegó 9"
        )
        assert problem_in_words("something from an older version") == (
            "something from an older version"
        )
        assert problem_in_words(None) == ""
