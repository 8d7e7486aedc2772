"""The pathway page's four fixed statements (pathway.selectors) read what the ORM reads, and no more."""

from datetime import date

import pytest
from django.http import Http404
from django.utils import timezone

from config.model_rows import read_together
from documents.models import Document
from pathway import selectors
from pathway.models import Pathway, PathwayEvent, SessionKind
from tests.documents.factories import closed_pathway, end_of_care_draft, issued_end_of_care, with_consent
from tests.factories import CareSessionFactory, GPFactory, PathwayFactory, PatientFactory, ReferralFactory


def values(instance, skip=()):
    return {field.attname: getattr(instance, field.attname)
            for field in instance._meta.concrete_fields if field.attname not in skip}


@pytest.mark.django_db
def test_the_pathway_its_patient_referral_and_sessions_are_the_orm_s_rows(psychologist, django_assert_num_queries):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist, first_name="Hélène"))
    referral = ReferralFactory(link__psychologist=psychologist, pathway=pathway, patient=pathway.patient)
    day = date(timezone.localdate().year, 1, 6)
    evaluation = CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=day)
    same_day = [CareSessionFactory(pathway=pathway, date=date(day.year, 1, 13)) for _ in range(2)]
    expected = {"pathway": values(Pathway.objects.get(pk=pathway.pk)),
                "referral": values(referral.__class__.objects.get(pk=referral.pk)),
                "sessions": [values(s) for s in pathway.sessions.order_by("date", "created_at")]}
    with django_assert_num_queries(2):
        loaded = selectors.pathway_detail(psychologist, pathway.pk)
    with django_assert_num_queries(0):
        assert values(loaded) == expected["pathway"]
        assert values(loaded.patient) == values(pathway.patient)
        assert values(loaded.referral) == expected["referral"]
        sessions = list(loaded.sessions.all())
        assert [s.pk for s in sessions] == [evaluation.pk] + [s.pk for s in same_day]  # date, then creation
        assert [values(s) for s in sessions] == expected["sessions"]
        assert all(s.patient is loaded.patient and s.pathway is loaded for s in sessions)
        assert loaded.patient_used_this_year == 3
        assert loaded.psychologist is psychologist


@pytest.mark.django_db
def test_a_pathway_without_referral_has_none_without_a_query(psychologist, django_assert_num_queries):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist))
    loaded = selectors.pathway_detail(psychologist, pathway.pk)
    with django_assert_num_queries(0):
        assert not hasattr(loaded, "referral")  # the reverse one-to-one, cached as missing
        assert list(loaded.sessions.all()) == []


@pytest.mark.django_db
def test_another_psychologist_s_pathway_or_none_is_not_found(psychologist, other_psychologist):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=other_psychologist))
    with pytest.raises(Http404):
        selectors.pathway_detail(psychologist, pathway.pk)
    with pytest.raises(Http404):
        selectors.pathway_detail(psychologist, "not-a-uuid")
    assert selectors.pathway_detail(other_psychologist, pathway.pk).pk == pathway.pk


@pytest.mark.django_db
def test_the_history_is_the_orm_s_events_with_their_authors(psychologist, django_assert_num_queries):
    pathway = closed_pathway(psychologist)
    for action in (PathwayEvent.Action.SESSION_RECORDED, PathwayEvent.Action.SESSION_UPDATED):
        PathwayEvent.objects.create(pathway=pathway, actor=psychologist, action=action, details="détail")
    with django_assert_num_queries(1):
        events = selectors.pathway_history(pathway)
    expected = list(PathwayEvent.objects.filter(pathway=pathway).order_by("created_at", "id"))
    with django_assert_num_queries(0):
        assert [e.pk for e in events] == [e.pk for e in expected] and len(events) == 2
        for event, orm in zip(events, expected, strict=True):
            assert values(event, skip={"session_id"}) == values(orm, skip={"session_id"})
            assert event.actor.get_full_name() == psychologist.get_full_name()
            assert event.get_action_display() == orm.get_action_display()


@pytest.mark.django_db
def test_the_documents_are_the_orm_s_with_consent_and_recipient_and_no_texts(psychologist, django_assert_num_queries):
    pathway = closed_pathway(psychologist)
    released = with_consent(issued_end_of_care(psychologist, pathway), psychologist)
    gp = GPFactory()
    Document.objects.filter(pk=released.pk).update(released_at=timezone.now(), released_to=gp)
    draft = end_of_care_draft(psychologist, closed_pathway(psychologist))
    Document.objects.filter(pk=draft.pk).update(pathway=pathway, replaces=released)
    with django_assert_num_queries(1):
        documents = selectors.pathway_documents(pathway)
    texts = set(selectors.DOCUMENT_TEXTS)
    expected = list(Document.objects.filter(pathway=pathway).order_by("created_at"))
    expected_values, given_on = [values(d, skip=texts) for d in expected], released.consent.given_on
    with django_assert_num_queries(0):
        assert [d.pk for d in documents] == [d.pk for d in expected]
        assert [values(d, skip=texts) for d in documents] == expected_values
        first, second = documents
        assert first.consent.given_on == given_on and first.consent.document is first
        assert first.released_to.pk == gp.pk and first.is_released
        assert not hasattr(second, "consent") and second.released_to is None
    assert texts <= first.get_deferred_fields()


@pytest.mark.django_db
def test_the_page_reads_its_four_statements_together_as_the_single_reads_give_them(
        psychologist, django_assert_num_queries):
    pathway = closed_pathway(psychologist)
    with_consent(issued_end_of_care(psychologist, pathway), psychologist)
    CareSessionFactory(pathway=pathway, date=date(timezone.localdate().year, 1, 13))
    with django_assert_num_queries(4):
        loaded, events, documents = selectors.pathway_page(psychologist, pathway.pk)
    assert values(loaded) == values(selectors.pathway_detail(psychologist, pathway.pk))
    assert [values(s) for s in loaded.sessions.all()] == [values(s) for s in pathway.sessions.order_by("date")]
    assert [e.pk for e in events] == [e.pk for e in selectors.pathway_history(loaded)] and events
    assert [d.pk for d in documents] == [d.pk for d in selectors.pathway_documents(loaded)] and documents


@pytest.mark.django_db
def test_another_psychologist_reads_none_of_the_pathway_s_rows(psychologist, other_psychologist):
    """The four statements go out together, before the first has said whether the pathway is the
    psychologist's: each one checks it, so a stranger's request reads no session, event or document."""
    pathway = closed_pathway(psychologist)
    with_consent(issued_end_of_care(psychologist, pathway), psychologist)
    CareSessionFactory(pathway=pathway)
    pathway_read, sessions_read = selectors.pathway_detail_reads(other_psychologist, pathway.pk)
    stranger_reads = (pathway_read, sessions_read, selectors.pathway_history_read(other_psychologist, pathway.pk),
                      selectors.pathway_documents_read(other_psychologist, pathway.pk))
    owner_reads = (*selectors.pathway_detail_reads(psychologist, pathway.pk),
                   selectors.pathway_history_read(psychologist, pathway.pk),
                   selectors.pathway_documents_read(psychologist, pathway.pk))
    assert all(read_together(*owner_reads))
    assert read_together(*stranger_reads) == [[], [], [], []]
    with pytest.raises(Http404):
        selectors.pathway_page(other_psychologist, pathway.pk)
