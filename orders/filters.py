"""The order list's filters, shared by the API and the dashboard."""

from datetime import date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from core import tenancy
from orders import hooks
from orders.models import OrderLine, OrderStatus, Shipment, ShipmentStatus

OPEN_STATUSES = (OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED)
EARLIEST_YEAR = 1900


class DateOrDateTimeField(forms.Field):
    """A day (2025-05-01) or an ISO 8601 time; a time without offset is in the user's zone."""

    default_error_messages = {
        "invalid": _("Enter a date (2025-05-01) or an ISO 8601 date and time."),
        "too_early": _("Enter a date from the year 1900 on."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        value = str(value).strip()
        try:
            moment = parse_datetime(value)
            day = None if moment else parse_date(value)
        except ValueError:
            moment = day = None
        if moment is None and day is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if (moment or day).year < EARLIEST_YEAR:
            # Times near year 1 cannot be converted between time zones.
            raise ValidationError(self.error_messages["too_early"], code="too_early")
        if moment is not None:
            return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
        return day


@extend_schema_field(
    {"type": "string", "description": "A date (2025-05-01) or an ISO 8601 date and time."}
)
class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


class StrictBooleanField(forms.Field):
    """true or false (also 1/0, yes/no); anything else is an error, not "no filter"."""

    default_error_messages = {"invalid": _("Enter true or false.")}
    values = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.values[str(value).strip().lower()]
        except KeyError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _no_dispute_app(queryset, value):
    # While no app registers disputes, no order has one.
    return queryset.none() if value else queryset


def _is_supplier() -> bool:
    organization = tenancy.current_organization()
    return organization is not None and organization.is_supplier


class OrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=OrderStatus.choices, method="filter_status")
    supplier = filters.CharFilter(method="filter_supplier", max_length=64)
    placed_after = DateOrDateTimeFilter(
        method="filter_placed_after", help_text=_("From this time, or from this day on.")
    )
    placed_before = DateOrDateTimeFilter(
        method="filter_placed_before", help_text=_("Before this time, or up to this day.")
    )
    q = filters.CharFilter(
        method="filter_q",
        max_length=200,
        help_text=_("The shop's order id, or the customer's name or e-mail."),
    )
    not_shipped_days = IntegerFilter(
        method="filter_not_shipped_days",
        min_value=0,
        max_value=3650,
        help_text=_("Not fully shipped this many days after it was placed."),
    )
    has_dispute = StrictBooleanFilter(method="filter_has_dispute")
    tracking_invalid = StrictBooleanFilter(
        method="filter_tracking_invalid",
        help_text=_("With (true) or without (false) a parcel whose tracking number is invalid."),
    )

    # The form's fields depend on nothing a request brings but the language (their labels):
    # built once per language, not for every request that filters.
    _form_classes: dict[str, type] = {}

    def get_form_class(self):
        language = translation.get_language()
        form_class = self._form_classes.get(language)
        if form_class is None:
            form_class = self._form_classes[language] = super().get_form_class()
        return form_class

    def filter_status(self, queryset, name, value):
        if _is_supplier():
            # order_list_for_supplier() annotates the status over the supplier's own lines.
            return queryset.filter(supplier_status=value)
        return queryset.filter(status=value)

    def filter_supplier(self, queryset, name, value):
        lines = OrderLine.objects.filter(order_id=OuterRef("pk"), supplier__slug=value)
        return queryset.filter(Exists(lines))

    def filter_placed_after(self, queryset, name, value):
        if not isinstance(value, datetime):
            value = _start_of_day(value)
        return queryset.filter(placed_at__gte=value)

    def filter_placed_before(self, queryset, name, value):
        if not isinstance(value, datetime):
            if value == date.max:
                return queryset  # up to the last day there is: everything
            value = _start_of_day(value + timedelta(days=1))
        return queryset.filter(placed_at__lt=value)

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # As people type it: "so-1001" finds "SO-1001" whatever the case
        # (an index on UPPER(external_id) serves it). E-mails are stored lower-case.
        match = Q(external_id__iexact=value) | Q(customer_name__icontains=value)
        if not _is_supplier():
            # Suppliers never see e-mail addresses, so they cannot search by them either.
            match |= Q(customer_email=value.lower())
        return queryset.filter(match)

    def filter_not_shipped_days(self, queryset, name, value):
        placed_before = timezone.now() - timedelta(days=value)
        if _is_supplier():
            waiting = OrderLine.objects.filter(order_id=OuterRef("pk"), shipped_at__isnull=True)
            return queryset.filter(Exists(waiting), placed_at__lte=placed_before).exclude(
                status=OrderStatus.CANCELLED
            )
        return queryset.filter(status__in=OPEN_STATUSES, placed_at__lte=placed_before)

    def filter_tracking_invalid(self, queryset, name, value):
        invalid = Exists(
            Shipment.objects.filter(order_id=OuterRef("pk"), status=ShipmentStatus.TRACKING_INVALID)
        )
        return queryset.filter(invalid) if value else queryset.exclude(invalid)

    def filter_has_dispute(self, queryset, name, value):
        return hooks.order_filters.apply("has_dispute", queryset, value, default=_no_dispute_app)
