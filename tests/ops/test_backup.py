"""`make backup` and `make restore`: a dump restored into a fresh database is the same, table by table."""

import sys
from contextlib import contextmanager

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from psycopg import sql

from documents.models import DocumentKind
from referrals.models import Referral
from tests.auth import log_in
from tests.documents.factories import issued_end_of_care, with_consent
from tests.factories import (
    CareSessionFactory,
    DeclaredSessionsFactory,
    DocumentFactory,
    GPFactory,
    PathwayFactory,
    PatientFactory,
    PsychologistFactory,
    ReferralFactory,
    ReferralLinkFactory,
)

from .deployment import database_url, run

pytestmark = pytest.mark.django_db(transaction=True)

LETTER = b"%PDF-1.4\n% the GP's letter, scanned\n"


def populate(client):
    """Rows in every table the app writes: people, patients, pathways, sessions, referrals, documents."""
    psychologist = PsychologistFactory(username="backup-psy", first_name="Hélène", last_name="Durand")
    for _ in range(3):
        pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), with_letter=True)
        CareSessionFactory.create_batch(2, pathway=pathway)
        DeclaredSessionsFactory(patient=pathway.patient)
        DocumentFactory(pathway=pathway, kind=DocumentKind.ALERT)
    pathway.referral_scan.save("lettre.pdf", ContentFile(LETTER))
    with_consent(issued_end_of_care(psychologist), psychologist)
    ReferralFactory.create_batch(2, link=ReferralLinkFactory(psychologist=psychologist),
                                 patient_last_name="Lefèvre", reason="Anxiété ; « sommeil » perturbé")
    log_in(client, GPFactory(username="backup-gp"))  # a session row
    return pathway.referral_scan.name


@contextmanager
def fresh_database(name):
    admin = {**connection.settings_dict, "NAME": "postgres"}
    with server(admin) as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    try:
        yield {**connection.settings_dict, "NAME": name}
    finally:
        with server(admin) as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def server(settings_dict):
    with psycopg.connect(host=settings_dict["HOST"] or None, port=settings_dict["PORT"] or None,
                         user=settings_dict["USER"] or None, password=settings_dict["PASSWORD"] or None,
                         dbname=settings_dict["NAME"], autocommit=True) as conn:
        yield conn.cursor()


def contents(settings_dict):
    """Each table's row count and a checksum of its rows, and each sequence's position."""
    with server(settings_dict) as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        found = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                                   "FROM {} AS t").format(sql.Identifier(table)))
            found[table] = cursor.fetchone()
        cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
        found["sequences"] = sorted(cursor.fetchall())
    return found


def backup_script(*args, **env):
    return run([sys.executable, "ops/backup.py", *args], DJANGO_SETTINGS_MODULE=None, **env)


def test_a_backup_restored_into_a_fresh_database_has_every_row_and_every_letter(client, settings, tmp_path):
    letter = populate(client)
    source = connection.settings_dict
    backed_up = backup_script("backup", "--into", str(tmp_path / "backups"),
                              DATABASE_URL=database_url(source), MEDIA_ROOT=str(settings.MEDIA_ROOT))
    assert backed_up.returncode == 0, backed_up.stderr
    dump, = (tmp_path / "backups").glob("*.dump")
    assert (tmp_path / "backups" / f"{dump.stem}-media.tar.gz").is_file()
    assert dump.stat().st_mode & 0o077 == 0  # health data: the owner's only

    with fresh_database(f"{source['NAME']}_restored") as restored:
        put_back = backup_script("restore", str(dump), DATABASE_URL=database_url(restored), CONFIRM="yes",
                                 MEDIA_ROOT=str(tmp_path / "restored-media"))
        assert put_back.returncode == 0, put_back.stderr
        before, after = contents(source), contents(restored)

    assert after == before
    for table in ("pathway_patient", "pathway_pathway", "pathway_caresession", "pathway_declaredsessions",
                  "pathway_pathwayevent", "referrals_referral", "documents_document", "documents_consent",
                  "accounts_loginsession", "accounts_user"):
        assert before[table][0] > 0, table
    assert (tmp_path / "restored-media" / letter).read_bytes() == LETTER


def test_a_restore_over_the_live_database_brings_back_the_backed_up_state(client, settings, tmp_path):
    populate(client)
    url = database_url(connection.settings_dict)
    assert backup_script("backup", "--into", str(tmp_path), DATABASE_URL=url).returncode == 0
    backed_up = contents(connection.settings_dict)
    PatientFactory(last_name="Après la sauvegarde")
    Referral.objects.all().delete()

    dump, = tmp_path.glob("*.dump")
    put_back = backup_script("restore", str(dump), DATABASE_URL=url, CONFIRM="yes")

    assert put_back.returncode == 0, put_back.stderr
    assert contents(connection.settings_dict) == backed_up


def test_a_restore_needs_confirmation_and_touches_nothing_without_it(settings, tmp_path):
    PatientFactory()
    dump = tmp_path / "any.dump"
    dump.write_bytes(b"not read")
    refused = backup_script("restore", str(dump), DATABASE_URL=database_url(connection.settings_dict))
    assert refused.returncode == 1
    assert "Run it again with CONFIRM=yes" in refused.stderr
    assert contents(connection.settings_dict)["pathway_patient"][0] == 1


def test_a_restore_names_the_file_it_needs():
    refused = backup_script("restore", DATABASE_URL=database_url(connection.settings_dict), CONFIRM="yes")
    assert "FILE=backups/<timestamp>.dump" in refused.stderr


@pytest.mark.parametrize(("url", "message"), [
    (None, "DATABASE_URL is not set"),
    ("sqlite:///db.sqlite3", "Backups cover PostgreSQL only"),
])
def test_a_backup_needs_the_postgresql_database_of_the_app(tmp_path, url, message):
    refused = backup_script("backup", "--into", str(tmp_path), DATABASE_URL=url)
    assert refused.returncode == 1
    assert message in refused.stderr
    assert not list(tmp_path.iterdir())
