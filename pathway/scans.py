"""Scanned referral letters: what a file is, told by its first bytes, never by its name.

The upload is refused unless its content is a PDF, JPEG or PNG; it is stored under a name of our
own with the extension of what it really is, and served with the type read from its content again.
"""

from dataclasses import dataclass

from django.http import FileResponse


@dataclass(frozen=True)
class ScanType:
    label: str
    magic: bytes
    content_type: str
    extension: str
    name_extensions: tuple


SCAN_TYPES = (
    ScanType("PDF", b"%PDF-", "application/pdf", "pdf", ("pdf",)),
    ScanType("JPEG", b"\xff\xd8\xff", "image/jpeg", "jpg", ("jpg", "jpeg", "jpe", "jfif")),
    ScanType("PNG", b"\x89PNG\r\n\x1a\n", "image/png", "png", ("png",)),
)


def sniff(file):
    """The ScanType of the file's first bytes, or None; the file is read from, then rewound to, its start."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    return next((scan_type for scan_type in SCAN_TYPES if head.startswith(scan_type.magic)), None)


def name_extension(name):
    base = (name or "").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def scan_response(file, stem):
    """The stored scan, typed by its content: shown inline when it is one of ours, else only downloaded."""
    scan_type = sniff(file)
    if scan_type is None:  # stored before the content was checked: never let a browser render it
        response = FileResponse(file, as_attachment=True, filename=f"{stem}.bin",
                                content_type="application/octet-stream")
    else:
        response = FileResponse(file, filename=f"{stem}.{scan_type.extension}", content_type=scan_type.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
