"""The error views Django does not give in the site's style: a refused form (CSRF)."""

from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A form sent without its token (expired page, another site, cookies off): the French 403 page.

    Django logs the reason (django.security.csrf); the page never shows it.
    """
    return render(request, "403.html", {"csrf_failure": True}, status=403)
