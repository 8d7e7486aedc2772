"""One template per kind, for the screen preview, the browser's print and the PDF.

Each kind's template extends `layout`: the print page (`page.html`, on `base_print.html`) to show
a draft, or the bare `frozen.html` to produce the body stored at issue. An issued document is
always shown from that stored body, never rendered again.
"""

import re

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify

from .content import document_content

PAGE = "documents/print/page.html"
FROZEN = "documents/print/frozen.html"

FILE_PREFIX = {
    "post_evaluation": "courrier-apres-evaluation",
    "alert": "alerte",
    "end_of_care": "compte-rendu-fin-de-prise-en-charge",
}


def kind_template(kind):
    return f"documents/print/{kind}.html"


def frozen_body(document, content):
    # The document goes to a French doctor: French whatever the language of the request.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(kind_template(document.kind), {"layout": FROZEN, "document": document,
                                                               "c": content})


def preview_body(document):
    """The body as shown on the document page: the stored text once issued, else a fresh render,
    its headings moved under the page's own "Preview" (h2), so that the page keeps one h1."""
    if document.is_issued:
        return nested_headings(document.issued_html)
    return nested_headings(frozen_body(document, document_content(document, timezone.localdate())))


HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")
PREVIEW_DEPTH = 2  # h1 -> h3, h2 -> h4


def nested_headings(html):
    """Our own templates' markup (user text in it is escaped, so `<h` is always a tag): every heading
    two levels deeper, h6 at most."""
    return HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{min(int(tag[2]) + PREVIEW_DEPTH, 6)}", html)


def page_html(document, request, for_pdf=False):
    context = {"layout": PAGE, "document": document, "for_pdf": for_pdf}
    if document.is_issued:
        return render_to_string(PAGE, context, request=request)
    context["c"] = document_content(document, timezone.localdate())
    return render_to_string(kind_template(document.kind), context, request=request)


def pdf_filename(document):
    name = document.issued_content.get("patient", {}).get("last_name") if document.is_issued else None
    name = slugify(name or document.pathway.patient.last_name)
    return f"{FILE_PREFIX[document.kind]}-{name}-v{document.version}.pdf"
