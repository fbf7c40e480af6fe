"""Tracking-number normalisation, carrier detection and check-digit validation.

Pure Python (no Django) so models, forms, serializers and tasks can all share it.

Formats with a published check digit (UPU S10, UPS, USPS, FedEx, DHL Express) are verified
with the carrier's algorithm: UPU S10 (the standard, and an ISO 3166 country suffix), UPS 1Z
and waybill numbers, USPS IMpb (Publication 199) and legacy numbers, the FedEx Express,
Ground, SSCC-18 (GS1), ASTRA and GSN labels, DHL Express waybills (modulo 7). The formats and
the published test numbers they are tested with were read from the carriers' label
specifications as collected in jkeen/tracking_number_data (couriers/*.json). DHL eCommerce and
the Chinese carriers publish no check digit, so their numbers are only matched against their
formats: that tells a well-formed number from a typo-shaped one, not a real one from a made-up
one.

The answer's `valid` is True (checked and right), False (checked and wrong) or None: the
carrier is one Redress has no formats for, so the number is "unchecked", never called valid.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import pycountry
from django.utils.translation import gettext, gettext_noop

MIN_LENGTH = 8  # shortest plausible number for a carrier we have no formats for
MAX_LENGTH = 40  # longest known format is 34 digits; checked before any regex runs

CARRIERS: dict[str, str] = {
    "ups": "UPS",
    "usps": "USPS",
    "fedex": "FedEx",
    "dhl": "DHL",
    "upu": "International post (UPU S10)",
    "sf_express": "SF Express",
    "yunexpress": "YunExpress",
    "cainiao": "Cainiao",
    "4px": "4PX",
    "yanwen": "Yanwen",
    "china_post": "China Post",
    "ems_china": "China EMS",
    "jt_express": "J&T Express",
    "zto": "ZTO Express",
    "yto": "YTO Express",
    "sto": "STO Express",
    "yunda": "Yunda Express",
}

# Spellings clients send that are not just the code or display name with different punctuation.
_ALIASES = {
    "unitedparcelservice": "ups",
    "upsmailinnovations": "ups",
    "upssurepost": "ups",
    "unitedstatespostalservice": "usps",
    "uspostalservice": "usps",
    "federalexpress": "fedex",
    "fedexexpress": "fedex",
    "fedexground": "fedex",
    "fedexsmartpost": "fedex",
    "fedexgroundeconomy": "fedex",
    "dhlexpress": "dhl",
    "dhlecommerce": "dhl",
    "s10": "upu",
    "universalpostalunion": "upu",
    "sf": "sf_express",
    "shunfeng": "sf_express",
    "4pxexpress": "4px",
    "chinaems": "ems_china",
    "jt": "jt_express",
    "ztoexpress": "zto",
    "ytoexpress": "yto",
    "stoexpress": "sto",
    "yundaexpress": "yunda",
}

# Posts and consolidators that also hand out S10 numbers (their own or a partner post's), so
# an S10 number given with one of these carriers is accepted under that carrier. Without a
# carrier, an S10 number is always reported as "upu": the country suffix names the issuing
# post, and one post (e.g. CN) issues numbers for several of the carriers above.
_S10_CARRIERS = frozenset({"usps", "dhl", "china_post", "ems_china", "yanwen", "cainiao", "4px"})
# UPS Mail Innovations / SurePost and FedEx SmartPost / Ground Economy hand their parcels to
# USPS for delivery under a USPS IMpb number: given with those carriers, an IMpb number is
# theirs; detected without a carrier, it is USPS's (where it is tracked to the door).
_IMPB_CARRIERS = frozenset({"ups", "fedex"})


# What is wrong with a number, as English templates: the stored problem (and the API's
# `tracking_problem`) is English; `problem_in_words` words it again in the reader's language.
EMPTY = gettext_noop("empty")
TOO_LONG = gettext_noop("too long (more than %(count)s characters)")
TOO_SHORT = gettext_noop("too short (fewer than %(count)s characters)")
INVALID_CHARACTERS = gettext_noop("contains invalid characters")
UNRECOGNISED = gettext_noop("unrecognised format")
UNKNOWN_COUNTRY = gettext_noop("unknown country code %(country)s")
CHECK_DIGIT = gettext_noop("check digit mismatch: expected %(expected)s, got %(got)s")
NOT_CARRIERS_FORMAT = gettext_noop("does not match any %(carrier)s tracking number format")
OTHER_CARRIERS_FORMAT = gettext_noop("it matches the %(carrier)s format")
PROBLEMS = (
    EMPTY,
    TOO_LONG,
    TOO_SHORT,
    INVALID_CHARACTERS,
    UNRECOGNISED,
    UNKNOWN_COUNTRY,
    CHECK_DIGIT,
    NOT_CARRIERS_FORMAT,
    OTHER_CARRIERS_FORMAT,
)
# Parts of one problem ("does not match …; it matches …") are joined by this.
PROBLEM_SEPARATOR = "; "


def _problem_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", template)
    # re.split alternates literal text and placeholder names.
    return re.compile(
        "".join(
            f"(?P<{part}>.+?)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
        )
    )


_PROBLEM_PATTERNS = tuple((template, _problem_pattern(template)) for template in PROBLEMS)


def problem_in_words(problem: str | None) -> str:
    """A stored (English) tracking problem in the active language; unknown words as is."""
    if not problem:
        return ""
    words = []
    for part in problem.split(PROBLEM_SEPARATOR):
        for template, pattern in _PROBLEM_PATTERNS:
            match = pattern.fullmatch(part)
            if match is not None:
                words.append(gettext(template) % match.groupdict())
                break
        else:
            words.append(part)
    return PROBLEM_SEPARATOR.join(words)


@dataclass(frozen=True)
class TrackingCheck:
    carrier: str | None
    # True: checked and right; False: checked and wrong; None: unchecked (unknown carrier).
    valid: bool | None
    problem: str | None


def normalise_tracking_number(number: str) -> str:
    """Drop the spaces and hyphens people copy from labels and e-mails; uppercase the rest.

    NFKC first turns the full-width digits and letters of Chinese and Japanese sites into ASCII.
    """
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", number)).upper()


def _weighted_sum(digits: str, weights: tuple[int, ...]) -> int:
    """Sum of digit * weight, with the weights cycling from the rightmost digit."""
    return sum(int(d) * weights[i % len(weights)] for i, d in enumerate(reversed(digits)))


def s10_check_digit(serial: str) -> int:
    """UPU S10: weights 8,6,4,2,3,5,9,7 left to right; 11 - sum % 11, where 10 -> 0, 11 -> 5."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def ups_check_digit(payload: str) -> int:
    """UPS 1Z (the 15 characters after "1Z") and waybill (the 9 digits after the letter).

    Letters count as digits (A=2 ... H=9, I=0 ...). From the left, the first character counts
    once, the second twice, and so on; the check digit tops the sum up to 10.
    """
    digits = [int(c) if c.isdigit() else (ord(c) - 63) % 10 for c in payload]
    total = sum(d * (2 if i % 2 else 1) for i, d in enumerate(digits))
    return (10 - total % 10) % 10


def mod10_check_digit(payload: str) -> int:
    """USPS IMpb, FedEx Ground and GS1 SSCC: weights 3,1 from the right, topped up to 10."""
    return (10 - _weighted_sum(payload, (3, 1)) % 10) % 10


def fedex_mod11_check_digit(payload: str) -> int:
    """FedEx Express, ASTRA and GSN: weights 1,3,7 from the right; sum % 11, where 10 -> 0."""
    return _weighted_sum(payload, (1, 3, 7)) % 11 % 10


def dhl_check_digit(payload: str) -> int:
    """DHL Express waybill: the number without its last digit, modulo 7."""
    return int(payload) % 7


def _s10_country_problem(match: re.Match[str]) -> str | None:
    # The suffix is the ISO 3166 code of the issuing post's country.
    country = match["country"]
    if pycountry.countries.get(alpha_2=country) is None:
        return UNKNOWN_COUNTRY % {"country": country}
    return None


@dataclass(frozen=True)
class _Format:
    carrier: str
    # Whole-number regex without nested quantifiers, so matching stays linear. Check-digit
    # formats name the groups "payload" (the digits covered) and "check".
    pattern: str
    check_digit: Callable[[str], int] | None = None
    # Digits the check digit covers that the printed number leaves out (a GS1 application id).
    implied_prefix: str = ""
    # A further check of the matched number (beyond its check digit): the problem, or None.
    extra_check: Callable[[re.Match[str]], str | None] | None = None
    # Bare digit runs with no check digit overlap each other and the FedEx/DHL formats, so
    # detection would only be guessing. These are used only when the client names the carrier.
    auto_detect: bool = True
    # Other carriers that hand out numbers of this format (see _S10_CARRIERS, _IMPB_CARRIERS).
    shared_with: frozenset[str] = frozenset()


_FORMATS = (
    # Check-digit formats come first: a number that passes one of them is almost surely that.
    # S10: any letter pair is accepted as service indicator (posts assign most ranges
    # themselves); the suffix must be a country.
    _Format(
        "upu",
        r"[A-Z]{2}(?P<payload>\d{8})(?P<check>\d)(?P<country>[A-Z]{2})",
        s10_check_digit,
        extra_check=_s10_country_problem,
        shared_with=_S10_CARRIERS,
    ),
    _Format("ups", r"1Z(?P<payload>[A-Z0-9]{15})(?P<check>\d)", ups_check_digit),
    # Waybill (air freight and Mail Innovations returns): a service letter, 9 digits, check.
    _Format("ups", r"[AHJKTV](?P<payload>\d{9})(?P<check>\d)", ups_check_digit),
    # IMpb (22 or 26 digits), optionally behind a "420" + ZIP or ZIP+4 routing prefix that the
    # check skips.
    _Format(
        "usps",
        r"(?:420(?:\d{9}|\d{5}))?(?P<payload>9[1-5]\d{19})(?P<check>\d)",
        mod10_check_digit,
        shared_with=_IMPB_CARRIERS,
    ),
    _Format(
        "usps",
        r"(?:420\d{5})?(?P<payload>9[1-5]\d{23})(?P<check>\d)",
        mod10_check_digit,
        shared_with=_IMPB_CARRIERS,
    ),
    # Legacy 20-digit numbers: the check covers either the number alone or "91" + number.
    _Format("usps", r"(?P<payload>\d{19})(?P<check>\d)", mod10_check_digit),
    _Format("usps", r"(?P<payload>\d{19})(?P<check>\d)", mod10_check_digit, implied_prefix="91"),
    _Format("fedex", r"(?P<payload>\d{11})(?P<check>\d)", fedex_mod11_check_digit),  # Express
    _Format("fedex", r"(?P<payload>\d{14})(?P<check>\d)", mod10_check_digit),  # Ground
    _Format("fedex", r"(?P<payload>\d{17})(?P<check>\d)", mod10_check_digit),  # SSCC-18 (GS1)
    _Format("fedex", r"96\d{5}(?P<payload>\d{14})(?P<check>\d)", mod10_check_digit),  # Ground 96
    # ASTRA label (32): "3", 15 routing digits, the 12-digit tracking number, 4 more digits.
    _Format("fedex", r"3\d{15}(?P<payload>\d{11})(?P<check>\d)\d{4}", fedex_mod11_check_digit),
    # Express 34 (any form code but 9) and Ground GSN 34 ("96"): the last 14 digits are the
    # tracking number with its check digit.
    _Format("fedex", r"[0-8]\d{19}(?P<payload>\d{13})(?P<check>\d)", fedex_mod11_check_digit),
    _Format("fedex", r"96\d{18}(?P<payload>\d{13})(?P<check>\d)", fedex_mod11_check_digit),
    _Format("dhl", r"(?P<payload>\d{9,10})(?P<check>\d)", dhl_check_digit),
    # Format-only: these carriers publish no check digit.
    _Format("dhl", r"GM[A-Z0-9]{16,22}"),  # DHL eCommerce
    _Format("dhl", r"\d{14}"),  # DHL eCommerce (14 digits)
    _Format("dhl", r"J[A-Z]{2,3}\d{9,10}"),  # DHL Express piece id (JJD...)
    _Format("sf_express", r"SF\d{12,13}"),
    _Format("yunexpress", r"YT\d{16}"),  # YT + 16 digits: YunExpress; YT + 13 digits: YTO
    _Format("yto", r"YT\d{13}"),
    _Format("jt_express", r"JT\d{13}"),
    _Format("cainiao", r"LP\d{14,16}"),
    _Format("4px", r"4PX\d{10,16}(?:CN)?"),
    _Format("zto", r"\d{12}|\d{14}", auto_detect=False),
    _Format("sto", r"STO\d{10}|\d{12,15}", auto_detect=False),
    _Format("yunda", r"\d{13}|\d{15}", auto_detect=False),
    _Format("china_post", r"\d{13}", auto_detect=False),
    _Format("ems_china", r"\d{13}", auto_detect=False),
)

_DETECTABLE = tuple(fmt for fmt in _FORMATS if fmt.auto_detect)


def _carrier_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_CARRIER_LOOKUP = {
    **{_carrier_key(name): code for code, name in CARRIERS.items()},
    **{_carrier_key(code): code for code in CARRIERS},
    **_ALIASES,
}


def _resolve_carrier(carrier: str) -> str:
    """Canonical code for a known carrier, else the client's string in lower case."""
    return _CARRIER_LOOKUP.get(_carrier_key(carrier), carrier.strip().lower())


def _format_problem(fmt: _Format, match: re.Match[str]) -> str | None:
    if fmt.check_digit is not None:
        expected = fmt.check_digit(fmt.implied_prefix + match["payload"])
        got = int(match["check"])
        if expected != got:
            return CHECK_DIGIT % {"expected": expected, "got": got}
    return fmt.extra_check(match) if fmt.extra_check is not None else None


def _first_fit(number: str, formats: tuple[_Format, ...]) -> tuple[_Format | None, str | None]:
    """The first format the number passes, with problem None.

    Otherwise the first format the number fits but whose checks fail, with that problem;
    otherwise (None, None). A format-only match later in the table beats an earlier failed
    check digit, because a failed check digit only says "not this format".
    """
    failure: tuple[_Format | None, str | None] = (None, None)
    for fmt in formats:
        match = re.fullmatch(fmt.pattern, number)
        if match is None:
            continue
        problem = _format_problem(fmt, match)
        if problem is None:
            return fmt, None
        if failure[0] is None:
            failure = (fmt, problem)
    return failure


def _formats_for(carrier: str) -> tuple[_Format, ...]:
    return tuple(fmt for fmt in _FORMATS if carrier == fmt.carrier or carrier in fmt.shared_with)


def _check_known_carrier(number: str, carrier: str) -> TrackingCheck:
    fmt, problem = _first_fit(number, _formats_for(carrier))
    if fmt is not None:
        return TrackingCheck(carrier, problem is None, problem)
    problem = NOT_CARRIERS_FORMAT % {"carrier": CARRIERS[carrier]}
    other, other_problem = _first_fit(number, _DETECTABLE)
    if other is not None and other_problem is None:
        problem += PROBLEM_SEPARATOR + OTHER_CARRIERS_FORMAT % {"carrier": CARRIERS[other.carrier]}
    return TrackingCheck(carrier, False, problem)


def check_tracking_number(number: str, carrier: str | None = None) -> TrackingCheck:
    """Validate a tracking number, detecting the carrier when none (or a blank one) is given."""
    code = _resolve_carrier(carrier) if carrier and carrier.strip() else None
    normalised = normalise_tracking_number(number)
    if not normalised:
        return TrackingCheck(code, False, EMPTY)
    if len(normalised) > MAX_LENGTH:
        return TrackingCheck(code, False, TOO_LONG % {"count": MAX_LENGTH})
    if not normalised.isascii() or not normalised.isalnum():
        return TrackingCheck(code, False, INVALID_CHARACTERS)

    if code in CARRIERS:
        return _check_known_carrier(normalised, code)
    if code is not None:
        # A carrier Redress has no formats for: its numbers cannot be checked, so they are
        # neither refused nor called valid ("unchecked"), only refused when implausibly short.
        # The client's carrier is kept even if the number looks like another carrier's, because
        # a reseller or local post may reuse that carrier's numbers.
        if len(normalised) < MIN_LENGTH:
            return TrackingCheck(code, False, TOO_SHORT % {"count": MIN_LENGTH})
        return TrackingCheck(code, None, None)

    fmt, problem = _first_fit(normalised, _DETECTABLE)
    if fmt is None:
        return TrackingCheck(None, False, UNRECOGNISED)
    return TrackingCheck(fmt.carrier, problem is None, problem)
