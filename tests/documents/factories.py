"""Pathways ready for documents, and documents taken through the services (as the app does)."""

from datetime import date, timedelta

from documents import services
from documents.models import ConsentChannel, ConsentGiver, Orientation, Outcome
from pathway.models import CloseReason, PathwayStatus, SessionKind, SessionMode
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory

OPENED = date(2025, 1, 6)
EVALUATED = date(2025, 1, 13)
CLOSED_ON = date(2025, 6, 30)

END_OF_CARE_FIELDS = {
    "evolution": "Anxiété nettement diminuée ; reprise du travail à mi-temps.",
    "outcome": Outcome.IMPROVED,
    "follow_up_needed": False,
    "orientation": Orientation.NONE,
}


def patient_of(psychologist, **fields):
    values = {"first_name": "Zoé", "last_name": "Lefèvre", "birth_date": date(1990, 5, 17),
              "treating_doctor_name": "Dr François Garçon", "treating_doctor_address": "12 rue de la Paix, Lyon"}
    return PatientFactory(psychologist=psychologist, **(values | fields))


def closed_pathway(psychologist, followups=3, video=1, patient=None):
    """Evaluated on 13/01/2025, then weekly follow-ups (the last `video` of them by video), then closed."""
    pathway = PathwayFactory(
        patient=patient or patient_of(psychologist), opened_on=OPENED, status=PathwayStatus.CLOSED,
        closed_on=CLOSED_ON, close_reason=CloseReason.COMPLETED, care_reason="anxiety_depression",
        planned_followups=max(followups, 1),
    )
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=EVALUATED)
    for index in range(followups):
        mode = SessionMode.VIDEO if index >= followups - video else SessionMode.IN_PERSON
        CareSessionFactory(pathway=pathway, date=EVALUATED + timedelta(weeks=index + 1), mode=mode)
    return pathway


def end_of_care_draft(psychologist, pathway=None, **fields):
    pathway = pathway or closed_pathway(psychologist)
    document = services.document_draft(pathway, psychologist, "end_of_care")
    return services.document_update(document, psychologist, **(END_OF_CARE_FIELDS | fields))


def issued_end_of_care(psychologist, pathway=None, **fields):
    return services.document_issue(end_of_care_draft(psychologist, pathway, **fields), psychologist)


def with_consent(document, psychologist, channel=ConsentChannel.POST, given_on=CLOSED_ON):
    services.consent_record(document, psychologist, given_on=given_on, given_by=ConsentGiver.PATIENT,
                            channel=channel)
    return document
