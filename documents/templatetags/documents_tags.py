"""The pathway page's documents for the doctor, drawn in Python as the include's markup was (its
`{% blocktranslate %}` and `{% url %}` nodes cost most of a millisecond a page)."""

from django import template
from django.template.base import template_localtime
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from pathway.templatetags.caseload import dmy, escape, row_url

from ..models import DocumentKind
from ..services import kinds_to_start

register = template.Library()


@register.simple_tag
def document_kinds_to_start(pathway, documents):
    """The kinds of document the pathway's status allows and that it does not have yet."""
    return [DocumentKind(kind) for kind in kinds_to_start(pathway, documents)]


def document_item(context, document):
    """A document: its kind (to its page), version, issue, consent, release, and the link to print it.
    The translator's words as {% blocktranslate %} leaves them, around escaped values."""
    if document.is_issued:
        issued = gettext("issued on %(day)s") % {"day": dmy(template_localtime(document.issued_at).date())}
    else:
        draft = gettext("draft")
        issued = f'<span class="badge text-bg-secondary">{draft}</span>'
    given = getattr(document, "consent", None)  # a reverse one-to-one: missing raises (an AttributeError)
    if given:
        consent = gettext("consent of %(day)s") % {"day": dmy(given.given_on)}
    else:
        consent = gettext("no consent recorded")
    released = ""
    if document.is_released:
        sent = gettext("sent to the doctor on %(day)s") % {"day": dmy(template_localtime(document.released_at).date())}
        released = f" · <strong>{sent}</strong>"
    version = gettext("version %(version)s") % {"version": escape(document.version)}
    print_words = gettext("print")
    return (f'<li class="list-group-item"><a href="{row_url(context, "documents:detail", document.pk)}">'
            f"{escape(document.get_kind_display())}</a> · {version} · {issued} · {consent}{released} · "
            f'<a href="{row_url(context, "documents:print", document.pk)}">{print_words}</a></li>')


@register.simple_tag(takes_context=True)
def pathway_documents(context, pathway, documents):
    """The pathway's documents (their consent and released_to read along), a button for each kind it
    may start, and the link to this year's statement of sessions."""
    if documents:
        items = "".join(document_item(context, document) for document in documents)
    else:
        none = gettext("No document yet.")
        items = f'<li class="list-group-item text-muted">{none}</li>'
    csrf, buttons = CsrfTokenNode().render(context), ""
    for kind in document_kinds_to_start(pathway, documents):
        action = escape(reverse("documents:create", kwargs={"pathway_id": pathway.pk, "kind": kind}))
        write = gettext("Write: %(kind)s") % {"kind": escape(kind.label)}
        buttons += (f'<form method="post" action="{action}">{csrf}'
                    f'<button type="submit" class="btn btn-outline-primary btn-sm">{write}</button></form>')
    year = timezone.localdate().year
    statement_url = escape(reverse("documents:statement", kwargs={"patient_id": pathway.patient_id, "year": year}))
    statement = gettext("Statement of sessions %(year)s") % {"year": year}
    heading = gettext("Documents for the doctor")
    return SafeString(  # escaped values, the translator's words, Django's CSRF field
        f'<section class="mb-4" aria-labelledby="pathway-documents-{pathway.pk}">'
        f'<h2 class="h5" id="pathway-documents-{pathway.pk}">{heading}</h2>'
        f'<ul class="list-group mb-2">{items}</ul>'
        f'<div class="d-flex flex-wrap gap-2 align-items-center">{buttons}'
        f'<a class="btn btn-link btn-sm" href="{statement_url}">{statement}</a></div>'
        "</section>")
