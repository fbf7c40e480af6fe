from django import forms
from django.utils.translation import gettext_lazy as _

from orders.tracking import CARRIERS


def carrier_choices():
    return [("", _("Detect from the number")), *sorted(CARRIERS.items(), key=lambda c: c[1])]


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
