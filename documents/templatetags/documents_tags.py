from django import template

from ..models import DocumentKind
from ..services import kinds_to_start

register = template.Library()


@register.simple_tag
def document_kinds_to_start(pathway, documents):
    """The kinds of document the pathway's status allows and that it does not have yet."""
    return [DocumentKind(kind) for kind in kinds_to_start(pathway, documents)]
