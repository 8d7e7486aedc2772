"""Test clients that behave like browsers: CSRF checked, the form's token read from the page shown."""

import html
import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.auth import log_in

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ALREADY_SENT = "Ce formulaire avait déjà été envoyé ; il n'a été enregistré qu'une fois."


def browser(user=None):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    return log_in(client, user) if user is not None else client


def same_browser(client):
    """Another client carrying the same cookies: a second request from the same browser."""
    twin = Client(enforce_csrf_checks=True, raise_request_exception=False)
    for name, morsel in client.cookies.items():
        twin.cookies[name] = morsel.value
    return twin


def form_token(client, url):
    """Show the page, as the user does before sending its form: its CSRF token, fresh at each showing."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return TOKEN.search(response.content.decode()).group(1)


def page_after(client, response):
    """The text of the page the redirect leads to, with its flash messages, as the user reads it."""
    page = client.get(response["Location"])
    assert page.status_code == 200, page.status_code
    return html.unescape(page.content.decode())


def today():
    return timezone.localdate().strftime("%d/%m/%Y")


def days_ago(days):
    return (timezone.localdate() - timedelta(days=days)).strftime("%d/%m/%Y")
