"""PDF rendering with WeasyPrint, fetching nothing but our own static files.

A document holds text typed by the psychologist; it is escaped, but the fetcher is the second
wall: no http(s), file: or data: URL is ever opened, whatever ends up in the HTML.
"""

import mimetypes
import os
import posixpath
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """A URL outside our static files: WeasyPrint skips the resource."""


class StaticFilesFetcher(URLFetcher):
    """Serves `<base_url>/static/...` from the static finders; refuses every other URL."""

    def __init__(self, base_url):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.static_prefix = urljoin(base_url, settings.STATIC_URL)

    def fetch(self, url, headers=None):
        path = self.static_path(url)
        found = finders.find(path) if path else None
        if not (found and os.path.isfile(found)):
            raise RefusedURL(f"Only our own static files are loaded, not {url[:100]!r}")
        with open(found, "rb") as static_file:
            body = static_file.read()
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    def static_path(self, url):
        """The static file's relative path, or None for anything that is not one of ours."""
        if not url.startswith(self.static_prefix):
            return None
        relative = unquote(urlsplit(url[len(self.static_prefix):]).path)
        normalised = posixpath.normpath(relative)
        if normalised.startswith(("/", "..")) or "\\" in relative or "\x00" in relative:
            return None
        return normalised


def render_pdf(html, base_url):
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFilesFetcher(base_url)).write_pdf()


def pdf_response(html, request, filename):
    response = HttpResponse(render_pdf(html, request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
