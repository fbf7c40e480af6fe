"""The merchant's working queue: who works a dispute, what each person has seen, the
views people save of the list, and actions on many disputes at once."""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actors import Actor
from accounts.models import MERCHANT_WORKERS, Membership, User
from core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from core.ids import new_id
from disputes.models import Dispute, DisputeSeen, SavedView
from disputes.notifications import assignment_event
from disputes.services.closing import dispute_close
from notifications.services import notify

MAX_SAVED_VIEWS = 30
MAX_VIEW_NAME_LENGTH = 60
MAX_VIEW_QUERY_LENGTH = 1000
# A saved view keeps filters and the sort, never a page: a cursor goes stale.
NOT_SAVED_PARAMETERS = {"cursor", "page_size", "csrfmiddlewaretoken"}


def _check_merchant_worker(actor: Actor) -> None:
    if not actor.is_merchant or not actor.can_work:
        raise PermissionDenied(_("Only the merchant's owners, managers and agents assign."))


def dispute_assign(*, actor: Actor, dispute: Dispute, assignee: User | None) -> Dispute:
    """Give the dispute to a member of its merchant who works disputes (None: nobody).

    The new assignee is told, unless they assigned it to themselves. Assigning the same
    person again changes nothing and tells nobody.
    """
    _check_merchant_worker(actor)
    if assignee is not None and not _works_for(assignee, dispute.merchant_id):
        raise ValidationFailed(
            field_errors={"assignee": [_("Choose an owner, manager or agent of this merchant.")]}
        )
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("merchant").get(pk=dispute.pk)
        if dispute.assignee_id == getattr(assignee, "pk", None):
            return dispute
        dispute.assignee = assignee
        dispute.assigned_at = timezone.now() if assignee is not None else None
        dispute.save(update_fields=["assignee", "assigned_at"])
        if assignee is not None and assignee.pk != getattr(actor.user, "pk", None):
            notify(event=assignment_event(dispute, assignee=assignee, actor=actor))
    return dispute


def _works_for(user: User, merchant_id) -> bool:
    return Membership.objects.filter(
        user=user, organization_id=merchant_id, role__in=MERCHANT_WORKERS, user__is_active=True
    ).exists()


SEEN_UPSERT = (
    "INSERT INTO disputes_disputeseen (merchant_id, id, dispute_id, supplier_id, user_id, seen_at) "
    "VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (merchant_id, dispute_id, user_id) "
    "DO UPDATE SET seen_at = EXCLUDED.seen_at WHERE disputes_disputeseen.seen_at < %s"
)


def dispute_seen_record(*, user: User, dispute: Dispute, last_seen_at=None) -> None:
    """The person opened the dispute now: what happened until now is no longer new to them.

    `last_seen_at`: when they last opened it, if the caller read that with the dispute;
    then nothing at all is sent when nothing happened since. Otherwise one statement, which
    writes nothing when they had already seen all of it (their seen
    time is not before the dispute's last activity): opening a quiet dispute again and
    again rewrites no row. Lists call a dispute unread when its activity is newer than
    the seen time (selectors._for_reader), so a seen time left as it was reads the same.
    """
    newest = max(dispute.last_activity_at, dispute.shared_activity_at)
    if last_seen_at is not None and last_seen_at >= newest:
        return
    with connections[router.db_for_write(DisputeSeen)].cursor() as cursor:
        cursor.execute(
            SEEN_UPSERT,
            [
                dispute.merchant_id,
                new_id(),
                dispute.pk,
                dispute.supplier_id,
                user.pk,
                timezone.now(),
                newest,
            ],
        )


def saved_view_query_clean(query: str) -> str:
    """The query string a view keeps: its filters and sort, without page or form tokens."""
    pairs = [
        (name, value)
        for name, value in parse_qsl(query or "", keep_blank_values=False)
        if name not in NOT_SAVED_PARAMETERS
    ]
    return urlencode(pairs)


def saved_view_create(*, actor: Actor, name: str, query: str) -> SavedView:
    """A view of the dispute list the person saves under a name, for themselves alone."""
    if not actor.is_merchant or actor.user is None:
        raise PermissionDenied()
    name = (name or "").strip()
    query = saved_view_query_clean(query)
    if not name:
        raise ValidationFailed(field_errors={"name": [_("Give the view a name.")]})
    if len(name) > MAX_VIEW_NAME_LENGTH:
        raise ValidationFailed(
            field_errors={
                "name": [_("Keep it under %(count)d characters.") % {"count": MAX_VIEW_NAME_LENGTH}]
            }
        )
    if len(query) > MAX_VIEW_QUERY_LENGTH:
        raise ValidationFailed(field_errors={"query": [_("These filters are too long to save.")]})
    if "\x00" in name or "\x00" in query:
        raise ValidationFailed(field_errors={"name": [_("Null characters are not allowed.")]})
    views = SavedView.objects.filter(user=actor.user)
    if views.count() >= MAX_SAVED_VIEWS:
        raise Conflict(
            _("You have %(count)d saved views: delete one first.") % {"count": MAX_SAVED_VIEWS}
        )
    try:
        with transaction.atomic():
            return SavedView.objects.create(
                merchant=actor.organization, user=actor.user, name=name, query=query
            )
    except IntegrityError as error:
        raise Conflict(_("You already have a view with this name.")) from error


def saved_view_delete(*, actor: Actor, view: SavedView) -> None:
    if actor.user is None or view.user_id != actor.user.pk:
        raise PermissionDenied()
    view.delete()


@dataclass(frozen=True)
class RowResult:
    """What one row of a bulk action came to: done, or refused and why."""

    dispute: Dispute
    error: str = ""

    @property
    def done(self) -> bool:
        return not self.error


def disputes_assign(*, actor: Actor, disputes, assignee: User | None) -> list[RowResult]:
    """Assign each dispute; a refusal for one is reported and does not stop the others."""
    _check_merchant_worker(actor)
    return [
        _each(dispute, lambda d: dispute_assign(actor=actor, dispute=d, assignee=assignee))
        for dispute in disputes
    ]


def disputes_close(*, actor: Actor, disputes, note: str = "") -> list[RowResult]:
    """Close each dispute through the state table; a dispute it refuses is reported alone."""
    _check_merchant_worker(actor)
    return [
        _each(dispute, lambda d: dispute_close(actor=actor, dispute=d, note=note))
        for dispute in disputes
    ]


def _each(dispute: Dispute, action) -> RowResult:
    # Each row in its own transaction: one refusal rolls back that row only.
    try:
        action(dispute)
    except DomainError as error:
        return RowResult(dispute, str(error.message))
    return RowResult(dispute)
