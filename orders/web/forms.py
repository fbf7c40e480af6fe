from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import CARRIER_NAMES


def carrier_choices():
    names = sorted(((code, str(name)) for code, name in CARRIER_NAMES.items()), key=lambda c: c[1])
    return [("", _("Detect from the number")), *names]


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )


class ParcelForm(forms.Form):
    """A parcel of some of an order's lines (those the caller may see and ship)."""

    lines = forms.MultipleChoiceField(
        label=_("Lines in this parcel"), widget=forms.CheckboxSelectMultiple
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = [
            (str(line.pk), f"{line.sku} · {line.title} x {line.quantity}") for line in lines
        ]
        self.fields["lines"].initial = [str(line.pk) for line in lines if line.shipped_at is None]
        self.fields["carrier"].choices = carrier_choices()


class TrackingCorrectionForm(forms.Form):
    """A parcel's corrected tracking number (and carrier)."""

    tracking_number = forms.CharField(label=_("Correct tracking number"), max_length=64)
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()


class CorrectedAddressForm(forms.Form):
    """Where a returned parcel's lines go again."""

    line1 = forms.CharField(label=_("Address line 1"), max_length=200)
    line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    country = forms.CharField(label=_("Country"), max_length=2)

    @classmethod
    def for_order(cls, order, **kwargs):
        initial = {
            "line1": order.ship_line1,
            "line2": order.ship_line2,
            "postal_code": order.ship_postal_code,
            "city": order.ship_city,
            "region": order.ship_region,
            "country": order.ship_country,
        }
        return cls(initial=initial, **kwargs)


class LineTrackingForm(forms.Form):
    """The shipping desk's row form: a line's tracking number (and carrier)."""

    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)
    carrier = forms.ChoiceField(label=_("Carrier"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()


class TrackingUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})
    )
