"""How many of the carriers' published test numbers Redress detects and checks right.

    .venv/bin/python bench/tracking_formats.py

A valid number counts when it is detected (no carrier given) as its carrier and valid; an
invalid one when it is not reported valid for its carrier, detected or given.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from orders.tests.tracking_samples import PUBLISHED_TEST_NUMBERS
from orders.tracking import check_tracking_number


def main() -> None:
    valid_right = valid_total = invalid_right = invalid_total = 0
    for name, carrier, valid, invalid in PUBLISHED_TEST_NUMBERS:
        for number in valid:
            valid_total += 1
            result = check_tracking_number(number)
            if result.carrier == carrier and result.valid is True:
                valid_right += 1
            else:
                print(f"missed valid   {name}: {number!r} -> {result}")
        for number in invalid:
            invalid_total += 1
            detected = check_tracking_number(number)
            given = check_tracking_number(number, carrier)
            if given.valid is not True and not (
                detected.carrier == carrier and detected.valid is True
            ):
                invalid_right += 1
            else:
                print(f"passed invalid {name}: {number!r} -> {detected} / {given}")
    print(f"valid detected and checked: {valid_right} of {valid_total}")
    print(f"invalid refused: {invalid_right} of {invalid_total}")


if __name__ == "__main__":
    main()
