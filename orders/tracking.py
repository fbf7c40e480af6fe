"""Tracking-number normalisation, carrier detection and check-digit validation.

Pure Python (no Django) so models, forms, serializers and tasks can all share it.

Formats with a published check digit (UPU S10, UPS, USPS, FedEx, DHL Express) are verified
with the carrier's algorithm. The formats and algorithms come from the UPU S10 standard and
from jkeen/tracking_number_data (couriers/*.json). The Chinese carriers publish no check digit,
so their numbers are only matched against formats collected from public code: that tells a
well-formed number from a typo-shaped one, but not a real number from a made-up one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

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
    "unitedstatespostalservice": "usps",
    "uspostalservice": "usps",
    "federalexpress": "fedex",
    "fedexexpress": "fedex",
    "fedexground": "fedex",
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


@dataclass(frozen=True)
class TrackingCheck:
    carrier: str | None
    valid: bool
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
    """UPS 1Z: the 15 characters after "1Z", letters as digits (A=2 ... H=9, I=0 ...).

    Odd positions count once and even positions twice (from the left; the payload is always
    15 long, so that is weights 1,2 from the right). The check digit tops the sum up to 10.
    """
    digits = "".join(c if c.isdigit() else str((ord(c) - 63) % 10) for c in payload)
    return (10 - _weighted_sum(digits, (1, 2)) % 10) % 10


def mod10_check_digit(payload: str) -> int:
    """USPS IMpb, FedEx Ground and SmartPost: weights 3,1 from the right, topped up to 10."""
    return (10 - _weighted_sum(payload, (3, 1)) % 10) % 10


def fedex_mod11_check_digit(payload: str) -> int:
    """FedEx Express: weights 1,3,7 from the right; sum % 11, where 10 -> 0."""
    return _weighted_sum(payload, (1, 3, 7)) % 11 % 10


def dhl_check_digit(payload: str) -> int:
    """DHL Express waybill: the number without its last digit, modulo 7."""
    return int(payload) % 7


@dataclass(frozen=True)
class _Format:
    carrier: str
    # Whole-number regex without nested quantifiers, so matching stays linear. Check-digit
    # formats name the groups "payload" (the digits covered) and "check".
    pattern: str
    check_digit: Callable[[str], int] | None = None
    # Digits the check digit covers that the printed number leaves out (a GS1 application id).
    implied_prefix: str = ""
    # Bare digit runs with no check digit overlap each other and the FedEx/DHL formats, so
    # detection would only be guessing. These are used only when the client names the carrier.
    auto_detect: bool = True


_FORMATS = (
    # Check-digit formats come first: a number that passes one of them is almost surely that.
    # S10: any letter pair is accepted as service indicator (posts assign most ranges
    # themselves) and as country suffix (we do not keep an ISO 3166 list); digits are not.
    _Format("upu", r"[A-Z]{2}(?P<payload>\d{8})(?P<check>\d)[A-Z]{2}", s10_check_digit),
    _Format("ups", r"1Z(?P<payload>[A-Z0-9]{15})(?P<check>\d)", ups_check_digit),
    # IMpb, optionally behind a "420" + ZIP or ZIP+4 routing prefix that the check skips.
    _Format(
        "usps", r"(?:420(?:\d{9}|\d{5}))?(?P<payload>9[1-5]\d{19})(?P<check>\d)", mod10_check_digit
    ),
    _Format("usps", r"(?P<payload>9[1-5]\d{23})(?P<check>\d)", mod10_check_digit),
    # Legacy 20-digit numbers: the check covers either the number alone or "91" + number.
    _Format("usps", r"(?P<payload>\d{19})(?P<check>\d)", mod10_check_digit),
    _Format("usps", r"(?P<payload>\d{19})(?P<check>\d)", mod10_check_digit, implied_prefix="91"),
    # FedEx SmartPost (IMpb via USPS), printed with or without its "92".
    _Format(
        "fedex", r"(?:92)?(?P<payload>\d{19})(?P<check>\d)", mod10_check_digit, implied_prefix="92"
    ),
    _Format("fedex", r"(?P<payload>\d{11})(?P<check>\d)", fedex_mod11_check_digit),
    _Format("fedex", r"(?P<payload>\d{14})(?P<check>\d)", mod10_check_digit),
    _Format("fedex", r"96\d{5}(?P<payload>\d{14})(?P<check>\d)", mod10_check_digit),
    _Format("fedex", r"100\d{17}(?P<payload>\d{13})(?P<check>\d)", fedex_mod11_check_digit),
    _Format("fedex", r"96\d{18}(?P<payload>\d{13})(?P<check>\d)", fedex_mod11_check_digit),
    _Format("dhl", r"(?P<payload>\d{9,10})(?P<check>\d)", dhl_check_digit),
    # Format-only: these carriers publish no check digit.
    _Format("dhl", r"GM\d{16,18}"),  # DHL eCommerce
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


def _check_digit_problem(fmt: _Format, match: re.Match[str]) -> str | None:
    if fmt.check_digit is None:
        return None
    expected = fmt.check_digit(fmt.implied_prefix + match["payload"])
    got = int(match["check"])
    return None if expected == got else f"check digit mismatch: expected {expected}, got {got}"


def _first_fit(number: str, formats: tuple[_Format, ...]) -> tuple[_Format | None, str | None]:
    """The first format the number passes, with problem None.

    Otherwise the first format the number fits but whose check digit fails, with that problem;
    otherwise (None, None). A format-only match later in the table beats an earlier failed
    check digit, because a failed check digit only says "not this format".
    """
    failure: tuple[_Format | None, str | None] = (None, None)
    for fmt in formats:
        match = re.fullmatch(fmt.pattern, number)
        if match is None:
            continue
        problem = _check_digit_problem(fmt, match)
        if problem is None:
            return fmt, None
        if failure[0] is None:
            failure = (fmt, problem)
    return failure


def _formats_for(carrier: str) -> tuple[_Format, ...]:
    return tuple(
        fmt
        for fmt in _FORMATS
        if fmt.carrier == carrier or (fmt.carrier == "upu" and carrier in _S10_CARRIERS)
    )


def _check_known_carrier(number: str, carrier: str) -> TrackingCheck:
    fmt, problem = _first_fit(number, _formats_for(carrier))
    if fmt is not None:
        return TrackingCheck(carrier, problem is None, problem)
    problem = f"does not match any {CARRIERS[carrier]} tracking number format"
    other, other_problem = _first_fit(number, _DETECTABLE)
    if other is not None and other_problem is None:
        problem += f"; it matches the {CARRIERS[other.carrier]} format"
    return TrackingCheck(carrier, False, problem)


def check_tracking_number(number: str, carrier: str | None = None) -> TrackingCheck:
    """Validate a tracking number, detecting the carrier when none (or a blank one) is given."""
    code = _resolve_carrier(carrier) if carrier and carrier.strip() else None
    normalised = normalise_tracking_number(number)
    if not normalised:
        return TrackingCheck(code, False, "empty")
    if len(normalised) > MAX_LENGTH:
        return TrackingCheck(code, False, f"too long (more than {MAX_LENGTH} characters)")
    if not normalised.isascii() or not normalised.isalnum():
        return TrackingCheck(code, False, "contains invalid characters")

    if code in CARRIERS:
        return _check_known_carrier(normalised, code)
    if code is not None:
        # We cannot check carriers we do not know, so we do not reject their numbers: we accept
        # anything plausibly long and keep the client's carrier, even if the number looks like
        # another carrier's, because a reseller or local post may reuse that carrier's numbers.
        if len(normalised) < MIN_LENGTH:
            return TrackingCheck(code, False, f"too short (fewer than {MIN_LENGTH} characters)")
        return TrackingCheck(code, True, None)

    fmt, problem = _first_fit(normalised, _DETECTABLE)
    if fmt is None:
        return TrackingCheck(None, False, "unrecognised format")
    return TrackingCheck(fmt.carrier, problem is None, problem)
