"""Reading pages as a person would: their text (HTML or PDF) and the links they offer."""

import html
import io
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag

from django.urls import Resolver404, resolve
from pypdf import PdfReader
from pypdf.errors import PdfReadError

# Following these would end the visitor's session or leave the app's own pages.
NOT_FOLLOWED = {"accounts:logout", "admin:logout"}


def body_of(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def text_of(response):
    """What a reader of the page sees, unescaped and case-folded: a PDF's extracted text too."""
    content = body_of(response)
    if response.get("Content-Type", "").startswith("application/pdf"):
        try:
            reader = PdfReader(io.BytesIO(content))
            return "\n".join(page.extract_text() for page in reader.pages).casefold()
        except PdfReadError:  # a scanned letter is only as well-formed as its sender made it
            pass
    return html.unescape(content.decode("utf-8", errors="replace")).casefold()


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.links.append(value)


def links_in(response):
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    parser = LinkParser()
    parser.feed(body_of(response).decode("utf-8", errors="replace"))
    return [urldefrag(link).url for link in parser.links if is_followed(link)]


def is_followed(link):
    if not link.startswith("/") or link.startswith("//") or link.startswith(("/static/", "/admin/")):
        return False
    try:
        match = resolve(urldefrag(link).url.split("?")[0])
    except Resolver404:
        return False
    return match.view_name not in NOT_FOLLOWED


def visit(client, start, limit=300, skip=lambda url: False):
    """GET the start pages and every page they link to, breadth first: [(url, response)]."""
    queue, seen, pages = deque(start), set(), []
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or skip(url):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code != 500, url
        pages.append((url, response))
        queue.extend(link for link in links_in(response) if link not in seen)
    return pages
