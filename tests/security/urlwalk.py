"""Every URL pattern of the project, and paths built from it with given keyword values."""

import re
from dataclasses import dataclass

from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

ROUTE_PARAMETER = re.compile(r"<(?:[^>:]+:)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")


@dataclass(frozen=True)
class Entry:
    """One URL pattern: its namespaced name, its keywords, and its pieces from the root down."""

    namespace: str
    name: str
    pieces: tuple

    @property
    def label(self):
        return f"{self.namespace}:{self.name}" if self.namespace else str(self.name)

    @property
    def route(self):
        return "".join(str(piece) for piece in self.pieces)

    @property
    def kwargs(self):
        return tuple(name for piece in self.pieces for name in piece.regex.groupindex)

    def path(self, values):
        """The path with `values` in its keywords; it must resolve back to this very pattern."""
        path = "/" + "".join(fill(piece, values) for piece in self.pieces)
        try:
            match = resolve(path)
        except Resolver404:
            raise AssertionError(f"{path}, built from {self.route}, does not resolve") from None
        if match.route.replace("^", "") != self.route.replace("^", ""):
            raise AssertionError(f"{path} resolves to {match.route}, not {self.route}")
        return path


def fill(piece, values):
    if isinstance(piece, RoutePattern):
        # Through the pattern's own converter, as reverse() would: a document kind becomes its French slug.
        return ROUTE_PARAMETER.sub(lambda m: str(piece.converters[m.group(1)].to_url(values[m.group(1)])), str(piece))
    if isinstance(piece, RegexPattern):
        text = REGEX_GROUP.sub(lambda m: str(values[m.group(1)]), str(piece))
        return text.removeprefix("^").removesuffix("$")
    raise AssertionError(f"Unknown kind of URL pattern: {piece!r}")


def entries(patterns=None, pieces=(), namespace=""):
    """Every pattern of the URL conf, nested includes walked (the admin's per-model ones too)."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n)
            yield from entries(pattern.url_patterns, pieces + (pattern.pattern,), inner)
        else:
            yield Entry(namespace, pattern.name, pieces + (pattern.pattern,))
