from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


def languages_in_their_own_words() -> list[tuple[str, str]]:
    """Each language named in itself ("Español", "Italiano", "Русский"): whoever cannot
    read the current one still finds their own."""
    return [
        (code, get_language_info(code)["name_local"].capitalize())
        for code, _name in settings.LANGUAGES
    ]


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("The browser's language")),
            *languages_in_their_own_words(),
        ]
