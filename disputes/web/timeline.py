"""The events of the dispute page's conversation, written in Python.

Through the template engine an event cost about 1,000 function calls (its tags, two dates
formatted, its labels and attachments resolved variable by variable): 50,000 of the
page's 122,000 for a dispute of 50 events. Here what is the same for every event (the
labels of the types, the badge, the link patterns, the date writer) is prepared once per
page, and each value is escaped as the template escaped it (`html.escape`, which Django's
`escape` wraps; the translated words are not escaped, as `{% translate %}` does not escape
them). The markup is the one
disputes/_timeline.html wrote (disputes/tests/test_timeline_html.py compares them).
"""

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.templatetags.due_times import LocalDates
from disputes.models import EventType
from disputes.web.rows import PK_PLACEHOLDER, link_pattern
from disputes.web.rows import escape as escape_text
from disputes.wording import author_name, event_text

# What the template wrote around an event without files, and for a folded event.
_NO_ATTACHMENTS = "\n          \n        "
_FOLDED = "\n    \n  "


def folded_event_ids(events, attachments_of: dict) -> set:
    """A file sent with a message shows in that message; its own "attached" line is folded.

    `attachments_of`: event id → the event's attachments shown.
    """
    quoted = {
        attachment.pk
        for event in events
        if event.type in (EventType.MESSAGE, EventType.NOTE)
        for attachment in attachments_of.get(event.pk, ())
    }
    return {
        event.pk
        for event in events
        if event.type == EventType.ATTACHMENT
        and attachments_of.get(event.pk)
        and all(attachment.pk in quoted for attachment in attachments_of[event.pk])
    }


class _Attachments:
    """The `<ul>` of one event's files, with the links of the page's side."""

    def __init__(self, *, download_url_name: str, preview_url_name: str):
        self.download = str(conditional_escape(link_pattern(download_url_name)))
        self.preview = str(conditional_escape(link_pattern(preview_url_name)))

    def __call__(self, attachments) -> str:
        if not attachments:
            return _NO_ATTACHMENTS
        items = []
        for attachment in attachments:
            pk = str(attachment.pk)
            download = self.download.replace(PK_PLACEHOLDER, pk)
            preview_url = self.preview.replace(PK_PLACEHOLDER, pk)
            filename = escape(attachment.filename)
            size = escape(filesizeformat(attachment.size))
            preview = (
                f'\n                    <a href="{download}"><img class="preview" '
                f'src="{preview_url}" alt="{filename}" loading="lazy"></a>'
                "\n                  "
                if attachment.is_previewable
                else ""
            )
            items.append(
                "\n                <li>"
                f"\n                  {preview}"
                f'\n                  <a href="{download}" download>{filename}</a>'
                f'\n                  <span class="muted">{size}</span>'
                "\n                </li>"
                "\n              "
            )
        return (
            '\n          \n            <ul class="attachments">\n              '
            + "".join(items)
            + "\n            </ul>\n          \n        "
        )


def _lines(text: str) -> str:
    """`text|linebreaksbr` of a plain string: escaped, each line break a `<br>`."""
    return escape_text(text.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", "<br>")


def timeline_items(
    events, *, attachments_of: dict, viewer, download_url_name: str, preview_url_name: str
) -> SafeString:
    """The `<li>`s of the events after the opening one (disputes/_timeline.html).

    `attachments_of`: event id → the event's attachments shown, oldest first; `viewer`: the
    organization reading, which names its own people without the organization's name.
    """
    type_labels = {value: escape(label) for value, label in EventType.choices}
    internal_badge = '<span class="badge warn">{}</span>'.format(
        _("Internal: the supplier never sees this")
    )
    zone = timezone.get_current_timezone()
    short_time = LocalDates("SHORT_DATETIME_FORMAT")
    attachment_list = _Attachments(
        download_url_name=download_url_name, preview_url_name=preview_url_name
    )
    folded = folded_event_ids(events, attachments_of)
    # An author is named the same on each of their events.
    authors: dict[tuple, str] = {}
    items = []
    for event in events:
        if event.pk in folded:
            items.append(_FOLDED)
            continue
        author = (event.author_party, event.author_user_id, event.author_organization_id)
        if author not in authors:
            authors[author] = escape_text(author_name(event, viewer))
        text = event_text(event)
        paragraph = f'<p class="text">{_lines(text)}</p>' if text else ""
        created_at = timezone.localtime(event.created_at, zone)
        items.append(
            "\n    \n      "
            f'<li class="event event-{escape_text(event.type)} '
            f"party-{escape_text(event.author_party)}"
            f'{" internal" if event.internal else ""}" id="event-{event.position}">'
            "\n        <header>"
            f'\n          <strong class="author">{authors[author]}</strong>'
            f'\n          <span class="muted">{type_labels.get(event.type) or escape(event.type)}'
            f' · <time datetime="{created_at.isoformat()}">{escape_text(short_time(created_at))}'
            "</time></span>"
            f"\n          {internal_badge if event.internal else ''}"
            "\n        </header>"
            f"\n        {paragraph}"
            f"\n        {attachment_list(attachments_of.get(event.pk))}"
            "\n      </li>\n    \n  "
        )
    return mark_safe("".join(items))  # noqa: S308 (every value above is escaped)
