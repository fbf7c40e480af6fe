"""What a deadline rule is: a code, words for people, numbers with bounds, options, an action.

A `Rule` is plain data; `deadlines.registry` holds the rules of the installation. The
numbers are what a merchant may change (in /app/settings/rules/ or the API); each has a
unit, and the unit decides the arithmetic (calendar hours, calendar days, business days
of the acting party's country).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from core.errors import ValidationFailed
from deadlines import calendar

if TYPE_CHECKING:
    from deadlines.models import Deadline


class Unit:
    HOURS = "hours"
    DAYS = "days"
    BUSINESS_DAYS = "business_days"

    LABELS = {HOURS: _("hours"), DAYS: _("days"), BUSINESS_DAYS: _("business days")}


# No delay may exceed 90 days (the "sane bounds"); 60 business days are about
# 12 weeks, which stays under 90 calendar days even with a few holidays in between.
UNIT_CEILING = {Unit.HOURS: 90 * 24, Unit.DAYS: 90, Unit.BUSINESS_DAYS: 60}


@dataclass(frozen=True)
class Number:
    """A delay the merchant may set, e.g. Number("after_hours", _("Remind after"), "hours", 48)."""

    name: str
    label: Any
    unit: str
    default: int
    minimum: int = 1
    maximum: int | None = None  # None: the unit's 90-day ceiling

    def __post_init__(self):
        if self.unit not in UNIT_CEILING:
            raise ValueError(f"Unknown unit {self.unit!r} for number {self.name!r}.")
        if not self.minimum <= self.default <= self.upper_bound:
            raise ValueError(f"The default of {self.name!r} is outside its bounds.")

    @property
    def upper_bound(self) -> int:
        ceiling = UNIT_CEILING[self.unit]
        return min(self.maximum, ceiling) if self.maximum is not None else ceiling

    @property
    def lower_bound(self) -> int:
        # Zero or negative delays are refused whatever a rule declares.
        return max(self.minimum, 1)

    def after(self, start: datetime, value: int, country: str, time_zone: str = "UTC") -> datetime:
        """`value` units after `start`; business days of `country`, by the local date and
        time of day in `time_zone` (hours and days are elapsed time, whatever the zone)."""
        if self.unit == Unit.HOURS:
            return calendar.add_hours(start, value)
        if self.unit == Unit.DAYS:
            return calendar.add_days(start, value)
        local = start.astimezone(ZoneInfo(time_zone or "UTC"))
        return calendar.add_business_days(local, value, country)


@dataclass(frozen=True)
class Option:
    """A choice the merchant makes; a yes/no switch when `choices` is empty."""

    name: str
    label: Any
    default: Any
    choices: tuple[tuple[str, Any], ...] = ()

    @property
    def is_switch(self) -> bool:
        return not self.choices


@dataclass(frozen=True)
class RuleValues:
    """A merchant's effective setting of one rule: stored values over the rule's defaults."""

    enabled: bool
    numbers: dict[str, int]
    options: dict[str, Any]

    def as_json(self) -> dict:
        return {"enabled": self.enabled, "numbers": self.numbers, "options": self.options}


DeadlineAction = Callable[["Deadline"], None]
DeadlineBatchAction = Callable[[list["Deadline"]], None]


@dataclass(frozen=True)
class Rule:
    code: str
    label: Any
    description: Any = ""
    numbers: tuple[Number, ...] = ()
    options: tuple[Option, ...] = ()
    enabled_by_default: bool = True
    # Run by the sweep, once, when a deadline of this rule falls due (see deadlines.services).
    action: DeadlineAction | None = None
    # Optional: the same for many due rows of one merchant at once (say, one bulk insert
    # instead of one per row). The sweep prefers it and falls back to `action` row by row
    # when it raises, so a rule with a batch action still needs `action`.
    batch_action: DeadlineBatchAction | None = None
    # Cross-field validation: takes the numbers, answers {field: message} for what is wrong.
    check: Callable[[dict[str, int]], dict[str, Any]] | None = field(default=None)
    # Where lists show the rule: DESIGN.md's table order, across the domains that own rules.
    position: int = 1000

    def __post_init__(self):
        if not self.numbers:
            raise ValueError(f"Rule {self.code!r} needs at least one number.")

    def number(self, name: str | None = None) -> Number:
        if name is None:
            return self.numbers[0]
        for number in self.numbers:
            if number.name == name:
                return number
        raise LookupError(f"Rule {self.code!r} has no number {name!r}.")

    def option(self, name: str) -> Option:
        for option in self.options:
            if option.name == name:
                return option
        raise LookupError(f"Rule {self.code!r} has no option {name!r}.")

    def defaults(self) -> RuleValues:
        return RuleValues(
            enabled=self.enabled_by_default,
            numbers={number.name: number.default for number in self.numbers},
            options={option.name: option.default for option in self.options},
        )

    def merge(self, stored_enabled: bool, numbers: dict, options: dict) -> RuleValues:
        """Stored values over defaults; keys the rule no longer has are dropped."""
        defaults = self.defaults()
        return RuleValues(
            enabled=stored_enabled,
            numbers={name: numbers.get(name, value) for name, value in defaults.numbers.items()},
            options={name: options.get(name, value) for name, value in defaults.options.items()},
        )

    def validate(self, *, enabled: Any, numbers: dict, options: dict) -> RuleValues:
        """Check a merchant's input; raise ValidationFailed with messages by field."""
        errors: dict[str, list] = {}
        if not isinstance(enabled, bool):
            errors["enabled"] = [_("Must be true or false.")]
        known_numbers = {number.name: number for number in self.numbers}
        for name in numbers:
            if name not in known_numbers:
                errors[f"numbers.{name}"] = [_("This rule has no such number.")]
        for name, value in numbers.items():
            number = known_numbers.get(name)
            if number is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                errors[f"numbers.{name}"] = [_("Must be a whole number.")]
            elif not number.lower_bound <= value <= number.upper_bound:
                errors[f"numbers.{name}"] = [
                    _("Must be between %(low)d and %(high)d %(unit)s.")
                    % {
                        "low": number.lower_bound,
                        "high": number.upper_bound,
                        "unit": Unit.LABELS[number.unit],
                    }
                ]
        known_options = {option.name: option for option in self.options}
        for name, value in options.items():
            option = known_options.get(name)
            if option is None:
                errors[f"options.{name}"] = [_("This rule has no such option.")]
            elif option.is_switch and not isinstance(value, bool):
                errors[f"options.{name}"] = [_("Must be true or false.")]
            elif not option.is_switch and value not in {key for key, _label in option.choices}:
                errors[f"options.{name}"] = [_("Not one of the choices.")]
        values = self.merge(enabled, numbers, options)
        if not errors and self.check is not None:
            for name, message in self.check(values.numbers).items():
                errors[f"numbers.{name}"] = [message]
        if errors:
            raise ValidationFailed(field_errors=errors)
        return values

    def due_at(
        self,
        values: RuleValues,
        *,
        start_at: datetime,
        number: str | None,
        country: str,
        time_zone: str = "UTC",
    ) -> datetime:
        chosen = self.number(number)
        return chosen.after(start_at, values.numbers[chosen.name], country, time_zone)
