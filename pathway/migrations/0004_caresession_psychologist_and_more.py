"""The dashboard at national scale: one psychologist's sessions and declarations through one index.

Sessions and declared sessions carry their psychologist (copied from the pathway and the patient),
so "this week's sessions", "this year's video share" and "near the cap" read one index range of
that psychologist instead of probing every pathway or patient of the caseload. The single-column
indexes on the session's keys go: the (key, date, ...) indexes serve the same lookups, and carry
the columns the cap and the dashboard count, so that those counts read the index alone.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_psychologists(apps, schema_editor):
    CareSession = apps.get_model("pathway", "CareSession")
    DeclaredSessions = apps.get_model("pathway", "DeclaredSessions")
    Pathway = apps.get_model("pathway", "Pathway")
    Patient = apps.get_model("pathway", "Patient")
    CareSession.objects.update(psychologist=Subquery(
        Pathway.objects.filter(pk=OuterRef("pathway")).values("psychologist")[:1]))
    DeclaredSessions.objects.update(psychologist=Subquery(
        Patient.objects.filter(pk=OuterRef("patient")).values("psychologist")[:1]))


def psychologist_field(null):
    return models.ForeignKey(
        db_index=False, null=null, on_delete=django.db.models.deletion.PROTECT, related_name="+",
        to=settings.AUTH_USER_MODEL,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("pathway", "0003_patient_search_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(model_name="caresession", name="psychologist", field=psychologist_field(null=True)),
        migrations.AddField(model_name="declaredsessions", name="psychologist", field=psychologist_field(null=True)),
        migrations.RunPython(copy_psychologists, migrations.RunPython.noop),
        migrations.AlterField(model_name="caresession", name="psychologist", field=psychologist_field(null=False)),
        migrations.AlterField(model_name="declaredsessions", name="psychologist",
                              field=psychologist_field(null=False)),
        migrations.AlterField(
            model_name="caresession",
            name="pathway",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="sessions", to="pathway.pathway"),
        ),
        migrations.AlterField(
            model_name="caresession",
            name="patient",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="sessions", to="pathway.patient"),
        ),
        migrations.RemoveIndex(model_name="caresession", name="pathway_car_patient_8ba8c8_idx"),
        migrations.RemoveIndex(model_name="caresession", name="pathway_car_pathway_f964d8_idx"),
        migrations.AddIndex(
            model_name="caresession",
            index=models.Index(fields=["patient", "date", "billing", "status", "kind"],
                               name="pathway_car_patient_date_idx"),
        ),
        migrations.AddIndex(
            model_name="caresession",
            index=models.Index(fields=["pathway", "date", "status", "kind", "billing"],
                               name="pathway_car_pathway_date_idx"),
        ),
        migrations.AddIndex(
            model_name="caresession",
            index=models.Index(fields=["psychologist", "date", "patient", "billing", "status", "mode"],
                               name="pathway_car_psy_date_idx"),
        ),
        migrations.AddIndex(
            model_name="declaredsessions",
            index=models.Index(fields=["psychologist", "year"], name="pathway_dec_psychol_7ba2aa_idx"),
        ),
    ]
