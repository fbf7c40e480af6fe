"""The merchant's saved replies: its owner, managers and agents write them, everyone reads."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import MERCHANT_WORKERS
from core.errors import Conflict, PermissionDenied, ValidationFailed
from disputes.models import SavedReply
from disputes.saved_replies import LANGUAGE_CODES

MAX_TITLE_LENGTH = 120
MAX_TEXT_LENGTH = 10_000


def _merchant_worker(actor: Actor):
    if not actor.is_merchant or actor.role not in MERCHANT_WORKERS:
        raise PermissionDenied(
            _("Only the shop's owner, managers and agents change saved replies.")
        )
    return actor.organization


def _checked(title: str, default_language: str, variants) -> tuple[str, str, dict]:
    errors = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the reply a title.")]
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = [
            _("Keep the title under %(count)d characters.") % {"count": MAX_TITLE_LENGTH}
        ]
    if not isinstance(variants, dict):
        raise ValidationFailed(field_errors={"variants": [_("Give the texts by language code.")]})
    cleaned = {}
    for language, text in variants.items():
        if language not in LANGUAGE_CODES:
            errors["variants"] = [
                _("Unknown language %(code)s; use one of: %(codes)s.")
                % {"code": language, "codes": ", ".join(LANGUAGE_CODES)}
            ]
        elif not isinstance(text, str) or len(text) > MAX_TEXT_LENGTH:
            errors["variants"] = [
                _("Each text is at most %(count)d characters.") % {"count": MAX_TEXT_LENGTH}
            ]
        elif text.strip():
            cleaned[language] = text.strip()
    if not cleaned and "variants" not in errors:
        errors["variants"] = [_("Write the reply in at least one language.")]
    if not default_language and len(cleaned) == 1:
        default_language = next(iter(cleaned))
    if cleaned and default_language not in cleaned and "variants" not in errors:
        errors["default_language"] = [
            _("The default language must be one the reply is written in.")
        ]
    if errors:
        raise ValidationFailed(field_errors=errors)
    return title, default_language, cleaned


def _saved(reply: SavedReply) -> SavedReply:
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError as error:
        raise Conflict(
            _("A saved reply with this title exists already."),
            field_errors={"title": [_("Choose another title.")]},
        ) from error
    return reply


def saved_reply_create(
    *, actor: Actor, title: str, variants: dict, default_language: str = ""
) -> SavedReply:
    merchant = _merchant_worker(actor)
    title, default_language, variants = _checked(title, default_language, variants)
    reply = SavedReply(
        merchant=merchant,
        title=title,
        default_language=default_language,
        variants=variants,
        created_by=actor.user,
    )
    return _saved(reply)


def saved_reply_update(
    *,
    actor: Actor,
    reply: SavedReply,
    title: str | None = None,
    variants: dict | None = None,
    default_language: str | None = None,
) -> SavedReply:
    """Changes what is given; what is left out (None) stays as it was."""
    _merchant_worker(actor)
    title, default_language, variants = _checked(
        reply.title if title is None else title,
        reply.default_language if default_language is None else default_language,
        reply.variants if variants is None else variants,
    )
    reply.title = title
    reply.default_language = default_language
    reply.variants = variants
    reply.updated_at = timezone.now()
    return _saved(reply)


def saved_reply_delete(*, actor: Actor, reply: SavedReply) -> None:
    _merchant_worker(actor)
    reply.delete()
