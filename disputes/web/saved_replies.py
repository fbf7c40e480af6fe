"""/app/settings/saved-replies/: the merchant's saved replies.

Every member reads them; the owner, managers and agents write, edit and delete them. The
composer of a dispute inserts them (disputes/_saved_reply_picker.html).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import MERCHANT_WORKERS
from core.errors import DomainError, NotFound
from disputes import selectors, services
from disputes.saved_replies import PLACEHOLDERS, unknown_placeholders
from disputes.services.saved_replies import MAX_TEXT_LENGTH, MAX_TITLE_LENGTH
from disputes.web.common import MerchantSide, error_text

LIST_SIZE = 500


def text_field_name(language: str) -> str:
    return "text_" + language.replace("-", "_")


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=MAX_TITLE_LENGTH)
    default_language = forms.ChoiceField(
        label=gettext_lazy("Default language"),
        choices=settings.LANGUAGES,
        help_text=gettext_lazy("Used when the reader's language has no text of its own."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in settings.LANGUAGES:
            self.fields[text_field_name(code)] = forms.CharField(
                label=name,
                required=False,
                max_length=MAX_TEXT_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    @classmethod
    def for_reply(cls, reply):
        initial = {"title": reply.title, "default_language": reply.default_language}
        for code, text in reply.variants.items():
            initial[text_field_name(code)] = text
        return cls(initial=initial)

    def variants(self) -> dict[str, str]:
        data = self.cleaned_data
        return {code: data[text_field_name(code)] for code, _name in settings.LANGUAGES}


class SavedReplyPageMixin(MerchantSide):
    def render_page(self, request, template, context, status=200):
        context.update(
            can_edit=request.membership.role in MERCHANT_WORKERS,
            placeholders=[("{" + name + "}", meaning) for name, meaning in PLACEHOLDERS.items()],
        )
        return render(request, template, context, status=status)

    def save(self, request, form, reply=None):
        """Call the service; its refusals land on the form's fields. None when refused."""
        if not form.is_valid():
            return None
        try:
            if reply is None:
                return services.saved_reply_create(
                    actor=self.actor,
                    title=form.cleaned_data["title"],
                    default_language=form.cleaned_data["default_language"],
                    variants=form.variants(),
                )
            return services.saved_reply_update(
                actor=self.actor,
                reply=reply,
                title=form.cleaned_data["title"],
                default_language=form.cleaned_data["default_language"],
                variants=form.variants(),
            )
        except DomainError as error:
            if not error.field_errors:
                form.add_error(None, error_text(error))
            for field, errors in error.field_errors.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
            return None


class SavedReplyListView(SavedReplyPageMixin, View):
    template_name = "app/settings/saved_replies.html"

    def get(self, request):
        return self._page(request, SavedReplyForm(initial={"default_language": "en"}))

    def post(self, request):
        form = SavedReplyForm(request.POST)
        reply = self.save(request, form)
        if reply is None:
            return self._page(request, form, status=400)
        messages.success(request, _("Saved reply “%(title)s” saved.") % {"title": reply.title})
        return redirect("settings-saved-replies")

    def _page(self, request, form, status=200):
        replies = list(selectors.saved_reply_list().order_by("title", "id")[:LIST_SIZE])
        languages = dict(settings.LANGUAGES)
        for reply in replies:
            reply.language_names = [languages.get(code, code) for code in reply.variants]
            reply.unknown = ["{" + name + "}" for name in unknown_placeholders(reply.variants)]
        context = {"replies": replies, "form": form}
        return self.render_page(request, self.template_name, context, status=status)


class SavedReplyEditView(SavedReplyPageMixin, View):
    template_name = "app/settings/saved_reply.html"

    def _reply(self, pk):
        try:
            return selectors.saved_reply_get(reply_id=pk)
        except NotFound as error:
            raise Http404 from error

    def get(self, request, pk):
        reply = self._reply(pk)
        return self._page(request, reply, SavedReplyForm.for_reply(reply))

    def post(self, request, pk):
        reply = self._reply(pk)
        if request.POST.get("delete"):
            try:
                services.saved_reply_delete(actor=self.actor, reply=reply)
            except DomainError as error:
                messages.error(request, error_text(error))
                return redirect("settings-saved-reply", pk=reply.pk)
            messages.success(
                request, _("Saved reply “%(title)s” deleted.") % {"title": reply.title}
            )
            return redirect("settings-saved-replies")
        form = SavedReplyForm(request.POST)
        if self.save(request, form, reply) is None:
            return self._page(request, reply, form, status=400)
        messages.success(request, _("Saved reply “%(title)s” saved.") % {"title": reply.title})
        return redirect("settings-saved-replies")

    def _page(self, request, reply, form, status=200):
        return self.render_page(
            request, self.template_name, {"reply": reply, "form": form}, status=status
        )
