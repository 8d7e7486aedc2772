"""Which URLs serve health data, and how to tell whose data each one touched.

Every named URL that takes an object is either here (HEALTH_DATA_URLS: logged by the middleware)
or in NOT_LOGGED with the reason; tests/privacy/test_access_map.py walks the URL conf and fails
on a URL in neither.
"""

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from documents.models import Document
from pathway.models import CareSession, Pathway, Patient
from referrals.models import Referral

from .models import ObjectType


@dataclass(frozen=True)
class ObjectKey:
    """A URL keyword, the model it names, and where that model keeps its patient and its owner."""

    kwarg: str
    model: type
    patient_field: str
    owner_field: str = "psychologist_id"

    def patient_sql(self, connection):
        """SQL for the patient's id, with the object's id as its one parameter."""
        if self.model is Patient:
            return "%s"  # the id is the patient's: no lookup
        return self.lookup_sql(connection, self.patient_field)

    def owner_sql(self, connection):
        return self.lookup_sql(connection, self.owner_field)

    def lookup_sql(self, connection, field):
        """A subquery, written into the log's own INSERT (no query of its own), compiled by the ORM once
        per database: building and compiling it on each request cost more than the INSERT itself."""
        key = (connection.alias, connection.vendor, self.model._meta.label, field)
        if key not in LOOKUP_SQL:
            # Compiled with a stand-in id: the SQL keeps its placeholder, the id is given at each INSERT.
            query = self.model.objects.filter(pk=self.model._meta.pk.to_python(STAND_IN_ID)).values(field)[:1].query
            sql, params = query.get_compiler(connection=connection).as_sql()
            if len(params) != 1:
                raise ImproperlyConfigured(f"The access log's lookup of {field} takes {len(params)} parameters.")
            LOOKUP_SQL[key] = f"({sql})"
        return LOOKUP_SQL[key]

    def db_id(self, value, connection):
        pk = self.model._meta.pk
        return pk.get_db_prep_value(pk.to_python(value), connection)


STAND_IN_ID = "00000000-0000-4000-8000-000000000000"
LOOKUP_SQL = {}


PATIENT = ObjectKey("patient_id", Patient, "pk")
PATHWAY = ObjectKey("pathway_id", Pathway, "patient_id")
SESSION = ObjectKey("session_id", CareSession, "patient_id")
DOCUMENT = ObjectKey("document_id", Document, "pathway__patient_id")
REFERRAL = ObjectKey("referral_id", Referral, "patient_id")


@dataclass(frozen=True)
class Target:
    object_type: str
    key: ObjectKey


HEALTH_DATA_URLS = {
    # pathway
    "pathway:patient_create": Target(ObjectType.PATIENT, PATIENT),  # the new patient: from the redirect
    "pathway:patient_detail": Target(ObjectType.PATIENT, PATIENT),
    "pathway:patient_edit": Target(ObjectType.PATIENT, PATIENT),
    "pathway:declared_sessions_add": Target(ObjectType.PATIENT, PATIENT),
    "pathway:pathway_open": Target(ObjectType.PATIENT, PATIENT),
    "pathway:detail": Target(ObjectType.PATHWAY, PATHWAY),
    "pathway:evaluate": Target(ObjectType.PATHWAY, PATHWAY),
    "pathway:session_record": Target(ObjectType.PATHWAY, PATHWAY),
    "pathway:plan_followups": Target(ObjectType.PATHWAY, PATHWAY),
    "pathway:close": Target(ObjectType.PATHWAY, PATHWAY),
    "pathway:referral_scan": Target(ObjectType.REFERRAL_SCAN, PATHWAY),
    "pathway:session_edit": Target(ObjectType.SESSION, SESSION),
    # documents
    "documents:create": Target(ObjectType.PATHWAY, PATHWAY),
    "documents:detail": Target(ObjectType.DOCUMENT, DOCUMENT),
    "documents:issue": Target(ObjectType.DOCUMENT, DOCUMENT),
    "documents:correct": Target(ObjectType.DOCUMENT, DOCUMENT),
    "documents:consent": Target(ObjectType.DOCUMENT, DOCUMENT),
    "documents:release": Target(ObjectType.DOCUMENT, DOCUMENT),
    "documents:print": Target(ObjectType.DOCUMENT, DOCUMENT),
    "documents:pdf": Target(ObjectType.DOCUMENT, DOCUMENT),
    "documents:statement": Target(ObjectType.STATEMENT, PATIENT),
    "documents:statement_pdf": Target(ObjectType.STATEMENT, PATIENT),
    # referrals: the letter a doctor sent holds the reason and the clinical context
    "referrals:detail": Target(ObjectType.REFERRAL, REFERRAL),
    "referrals:accept": Target(ObjectType.REFERRAL, REFERRAL),
    "referrals:decline": Target(ObjectType.REFERRAL, REFERRAL),
    # privacy: the whole file, and its erasure (the erasure's own entry is written by its service)
    "privacy:export_json": Target(ObjectType.PATIENT_FILE, PATIENT),
    "privacy:export_pdf": Target(ObjectType.PATIENT_FILE, PATIENT),
    "privacy:erase": Target(ObjectType.PATIENT, PATIENT),
}

# Named URLs taking a parameter that are not logged, each with the reason.
NOT_LOGGED = {
    "referrals:refer": "The public referral form: anyone holding the psychologist's link, it shows nothing stored.",
    "referrals:letter": "The sender's own copy of the letter just typed, readable for an hour in the sending "
                        "browser only (usually without an account): not the psychologist's file.",
}
# Whole namespaces outside the trail: the admin registers no patient data (a test checks it).
NOT_LOGGED_NAMESPACES = {
    "admin": "No model holding patient data is registered in the admin.",
}
