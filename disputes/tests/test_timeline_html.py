"""The dispute page writes its events in Python (disputes.web.timeline): they must read
exactly as the template loop they replaced wrote them, escaping, files, folding and
translations included; and the page reads them in as many queries for 5 events as for 50."""

import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from accounts.models import Organization, User
from core.tenancy import organization_scope
from disputes import selectors
from disputes.models import EventType
from disputes.tests.samples import pdf_bytes, png_upload, upload
from disputes.tests.test_query_counts import add_events, count_queries
from disputes.wording import author_name, event_text

# The event loop of disputes/_timeline.html before the events were written in Python.
TIMELINE_LOOP = """{% load i18n %}{% for event in events %}
    {% if not event.folded %}
      <li class="event event-{{ event.type }} party-{{ event.author_party }}{% if event.internal %} internal{% endif %}" id="event-{{ event.position }}">
        <header>
          <strong class="author">{{ event.author_name }}</strong>
          <span class="muted">{{ event.get_type_display }} · <time datetime="{{ event.created_at|date:'c' }}">{{ event.created_at|date:"SHORT_DATETIME_FORMAT" }}</time></span>
          {% if event.internal %}<span class="badge warn">{% translate "Internal: the supplier never sees this" %}</span>{% endif %}
        </header>
        {% if event.text %}<p class="text">{{ event.text|linebreaksbr }}</p>{% endif %}
        {% with attachments=event.attachments.all %}
          {% if attachments %}
            <ul class="attachments">
              {% for attachment in attachments %}
                <li>
                  {% if attachment.is_previewable %}
                    <a href="{% url download_url_name attachment.pk %}"><img class="preview" src="{% url preview_url_name attachment.pk %}" alt="{{ attachment.filename }}" loading="lazy"></a>
                  {% endif %}
                  <a href="{% url download_url_name attachment.pk %}" download>{{ attachment.filename }}</a>
                  <span class="muted">{{ attachment.size|filesizeformat }}</span>
                </li>
              {% endfor %}
            </ul>
          {% endif %}
        {% endwith %}
      </li>
    {% endif %}
  {% endfor %}"""  # noqa: E501


def _as_the_template_was_given_them(events, viewer) -> None:
    """What the view set on each event for the template loop above."""
    for event in events:
        event.text = event_text(event)
        event.author_name = author_name(event, viewer)
    quoted = {
        attachment.pk
        for event in events
        if event.type in (EventType.MESSAGE, EventType.NOTE)
        for attachment in event.attachments.all()
    }
    for event in events:
        attachments = event.attachments.all()
        event.folded = (
            event.type == EventType.ATTACHMENT
            and bool(attachments)
            and all(attachment.pk in quoted for attachment in attachments)
        )


@pytest.fixture
def conversation(world, disputes, client):
    """Messages with files (their "attached" lines folded), a note, a file alone, names and
    words to escape, text over several lines."""
    dispute = disputes.open()
    client.force_login(world.users["acme_agent"])
    client.post(
        f"/app/disputes/{dispute.pk}/messages/",
        {
            "body": 'Line one\nLine <two> & "three"',
            "internal": "",
            "files": [png_upload('crack <1> & "2".png'), upload("label.pdf", pdf_bytes())],
        },
    )
    client.post(f"/app/disputes/{dispute.pk}/messages/", {"body": "For us.", "internal": "on"})
    client.force_login(world.users["shenzhen_agent"])
    client.post(f"/portal/disputes/{dispute.pk}/messages/", {"files": [png_upload("box.png")]})
    client.post(f"/portal/disputes/{dispute.pk}/messages/", {"body": "We <b>look</b>."})
    Organization.objects.filter(pk=world.shenzhen.pk).update(name="Shen & <Zhen>")
    User.objects.filter(pk=world.users["shenzhen_agent"].pk).update(
        name="Li <Wei>", time_zone="Asia/Shanghai"
    )
    return dispute


@pytest.mark.parametrize("language", ["en", "it", "ru", "zh-hans"])
@pytest.mark.parametrize(("caller", "side"), [("acme_owner", "app"), ("shenzhen_agent", "portal")])
def test_events_read_as_the_template_wrote_them(
    client, world, conversation, language, caller, side
):
    client.force_login(world.users[caller])
    page = client.get(f"/{side}/disputes/{conversation.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    viewer = world.organization(caller.split("_")[0])
    user = User.objects.get(pk=world.users[caller].pk)
    with organization_scope(viewer):
        events = list(selectors.timeline_for(dispute=conversation, organization=viewer))
    _as_the_template_was_given_them(events, viewer)
    # The two files of the message fold their own lines; the file sent alone does not.
    assert sum(event.folded for event in events) == 2
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(user.time_zone)):
        expected = Template(TIMELINE_LOOP).render(
            Context(
                {
                    "events": events,
                    "download_url_name": f"{side}-dispute-attachment-download",
                    "preview_url_name": f"{side}-dispute-attachment",
                }
            )
        )
    html = page.content.decode()
    assert f"</li>\n  {expected}\n</ol>" in html
    assert "&lt;Zhen&gt;" in html or side == "portal"
    assert "<Zhen>" not in html
    assert ("For us." in html) == (side == "app")


@pytest.mark.parametrize(("caller", "side"), [("acme_owner", "app"), ("shenzhen_agent", "portal")])
def test_the_page_costs_the_same_for_5_events_as_for_50(
    client, world, disputes, django_assert_num_queries, caller, side
):
    client.force_login(world.users[caller])
    dispute = disputes.in_state("resolution_proposed")
    add_events(disputes, dispute, 5)
    few, _response = count_queries(client, f"/{side}/disputes/{dispute.pk}/")
    add_events(disputes, dispute, 45)
    with django_assert_num_queries(few):
        page = client.get(f"/{side}/disputes/{dispute.pk}/")
    assert page.content.decode().count('<li class="event ') >= 35
    # The frame's own reads (session, user, membership, bell) and the page's: the dispute,
    # its proposals, lines, timeline, files, parcels, the two "read" writes; the merchant
    # also its ledger, the reader's language, saved replies and the people to assign.
    assert few <= (16 if side == "app" else 12)
