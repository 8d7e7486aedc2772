"""Uploaded referral letters: judged by their content, kept private, served with their true type."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from pathway.models import Pathway
from tests.factories import PathwayFactory, PatientFactory

from .pages import body_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().strftime("%d/%m/%Y")


def image(kind):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, kind)
    return buffer.getvalue()


def opening(scan):
    return {"entry_mode": "referral", "opened_on": TODAY, "referrer_kind": "doctor",
            "referrer_name": "Dr Anne Leroy", "referral_date": TODAY, "referral_scan": scan}


def upload(client, psychologist, name, content):
    patient = PatientFactory(psychologist=psychologist)
    url = reverse("pathway:pathway_open", kwargs={"patient_id": patient.pk})
    return client.post(url, opening(SimpleUploadedFile(name, content, content_type="application/pdf")))


def stored_files():
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def refusal(response):
    assert response.status_code == 200
    assert not Pathway.objects.exists()
    assert not stored_files()
    # The rest of what was typed stays in the form.
    assert 'value="Dr Anne Leroy"' in response.content.decode()
    return response.context["form"].errors["referral_scan"][0]


def test_a_script_named_pdf_is_refused(client_psy, psychologist):
    response = upload(client_psy, psychologist, "lettre.pdf", b"<html><script>alert(1)</script></html>")
    assert refusal(response) == "Seuls les fichiers PDF, JPEG ou PNG sont acceptés."


def test_a_png_named_pdf_is_refused(client_psy, psychologist):
    response = upload(client_psy, psychologist, "lettre.pdf", image("PNG"))
    assert refusal(response) == ("Ce fichier est un PNG, mais son nom se termine par .pdf : vérifiez qu'il "
                                 "s'agit du bon fichier.")


def test_a_file_one_byte_over_10_mb_is_refused(client_psy, psychologist):
    content = b"%PDF-1.4\n" + b"0" * (settings.REFERRAL_SCAN_MAX_BYTES + 1 - 9)
    assert len(content) == 10 * 1024 * 1024 + 1
    assert refusal(upload(client_psy, psychologist, "lettre.pdf", content)) == "Le fichier dépasse 10 Mo."


def test_an_empty_file_is_refused(client_psy, psychologist):
    assert refusal(upload(client_psy, psychologist, "lettre.pdf", b"")) == "Le fichier soumis est vide."


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("lettre.pdf", image("PDF"), "application/pdf"),
    ("scan.JPG", image("JPEG"), "image/jpeg"),
    ("scan.png", image("PNG"), "image/png"),
    ("scan-sans-extension", image("PNG"), "image/png"),
])
def test_a_real_pdf_jpeg_or_png_is_stored_and_served_with_its_true_type(client_psy, psychologist, name, content,
                                                                        content_type):
    response = upload(client_psy, psychologist, name, content)
    pathway = Pathway.objects.get()
    assert response["Location"] == reverse("pathway:detail", kwargs={"pathway_id": pathway.pk})
    extension = content_type.split("/")[1].replace("jpeg", "jpg")
    assert pathway.referral_scan.name.endswith(f".{extension}")
    assert name.split(".")[0] not in pathway.referral_scan.name
    served = client_psy.get(reverse("pathway:referral_scan", kwargs={"pathway_id": pathway.pk}))
    assert body_of(served) == content
    assert served["Content-Type"] == content_type
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == f'inline; filename="courrier-{pathway.pk}.{extension}"'
    assert "no-store" in served["Cache-Control"]


def test_a_stored_file_of_unknown_content_is_only_downloaded_never_rendered(client_psy, psychologist):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), with_letter=True)
    pathway.referral_scan.save("old.pdf", SimpleUploadedFile("old.pdf", b"<script>alert(1)</script>"))
    served = client_psy.get(reverse("pathway:referral_scan", kwargs={"pathway_id": pathway.pk}))
    assert body_of(served) == b"<script>alert(1)</script>"
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"] == f'attachment; filename="courrier-{pathway.pk}.bin"'
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_scan_is_never_served_to_another_psychologist_or_a_doctor(client, psychologist, other_psychologist, gp):
    from tests.auth import log_in

    log_in(client, psychologist)
    upload(client, psychologist, "lettre.pdf", image("PDF"))
    url = reverse("pathway:referral_scan", kwargs={"pathway_id": Pathway.objects.get().pk})
    for stranger in (other_psychologist, gp):
        log_in(client, stranger)
        assert client.get(url).status_code == 404
