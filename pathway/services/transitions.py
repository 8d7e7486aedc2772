"""The pathway's state machine: the transition table and the only place a status changes."""

from django.utils.translation import gettext as _

from ..models import PathwayEvent, PathwayStatus
from .errors import DomainError

S = PathwayStatus


TRANSITIONS = {
    S.AWAITING_EVALUATION: {S.IN_CARE, S.EXCLUDED, S.REORIENTED, S.CLOSED},
    S.IN_CARE: {S.REORIENTED, S.CLOSED},
    S.EXCLUDED: set(),
    S.REORIENTED: set(),
    S.CLOSED: set(),
}


def allowed_transitions(pathway):
    return TRANSITIONS[pathway.status]


def pathway_transition(pathway, to_status, actor, details=""):
    """The only place a pathway's status changes. Call it inside the action's transaction."""
    from_status = pathway.status
    if to_status not in TRANSITIONS[from_status]:
        raise DomainError(
            _("A pathway cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to_status).label},
            code="forbidden_transition",
        )
    pathway.status = to_status
    pathway.save(update_fields=["status", "updated_at"])
    PathwayEvent.objects.create(
        pathway=pathway, actor=actor, action=PathwayEvent.Action.TRANSITION,
        from_status=from_status, to_status=to_status, details=details,
    )
