"""The workflow of a care pathway: the state machine, the annual cap, one function per action.

Each action is atomic: lock the patient row, check, write, record an event. The cap is per patient
per calendar year across pathways, so the **patient** row is the lock that serialises the count.
Views and commands import from here; the sub-modules are the rooms:

- transitions: the state machine;        - cap: the count and the patient lock;
- checks: what a session must satisfy;   - sessions, pathways: the actions.
"""

from .cap import CapUsage, cap_usage, counted_sessions, evaluation_held_in_year, lock_patient
from .checks import SessionInput, check_session
from .errors import DomainError
from .pathways import (
    declared_sessions_add,
    pathway_close,
    pathway_evaluate,
    pathway_open,
    pathway_plan_followups,
)
from .patients import patient_update
from .sessions import session_record, session_record_on_owned, session_update
from .transitions import TRANSITIONS, allowed_transitions, pathway_transition

__all__ = [
    "TRANSITIONS", "CapUsage", "DomainError", "SessionInput", "allowed_transitions", "cap_usage",
    "check_session", "counted_sessions", "declared_sessions_add", "evaluation_held_in_year", "lock_patient",
    "pathway_close", "pathway_evaluate", "pathway_open", "pathway_plan_followups", "pathway_transition",
    "patient_update",
    "session_record", "session_record_on_owned", "session_update",
]
