"""The app as deployed: gunicorn with DEBUG off, and a browser over plain HTTP (cookies, CSRF tokens)."""

import http.client
import os
import re
import secrets
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from .cluster import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def app_environment(database_url, media_root, **overrides):
    """The environment of a deployment: base settings, DEBUG off, persistent connections."""
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DATABASE_URL": database_url,
            "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "127.0.0.1",
            "CONN_MAX_AGE": "600", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
            "MEDIA_ROOT": str(media_root), **overrides}


def manage(environment, *command):
    """A management command, or a piece of Python run with Django set up, against that environment."""
    return subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=environment, check=True,
                          capture_output=True, text=True, timeout=300).stdout


class Gunicorn:
    """One sync worker: every request goes through the same process, thread and persistent connection."""

    def __init__(self, environment, log_path):
        self.port = free_port()
        self.log = open(log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--log-level", "warning", "--no-control-socket"],
            cwd=ROOT, env=environment, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited: see {self.log.name}"
            try:
                Browser(self.port).get("/static/css/app.css")
                return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {timeout} s")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.text = status, headers, body.decode("utf-8", "replace")

    def header(self, name):
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


class Browser:
    """One HTTP/1.1 request per connection; keeps its cookies like a browser does."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.getheaders(), answer.read())
        finally:
            connection.close()
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    if morsel.value:
                        self.cookies[key] = morsel.value
                    else:
                        self.cookies.pop(key, None)
        return response

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form):
        return self.request("POST", path, form)

    def form_token(self, path):
        """Show the page with the form: its CSRF token."""
        page = self.get(path)
        assert page.status == 200, (page.status, path)
        return TOKEN.search(page.text).group(1)

    def follow(self, response, limit=5):
        """Follow the redirects: the page reached, and its path."""
        path = None
        while response.status in (301, 302, 303) and limit:
            path = response.header("Location")
            response, limit = self.get(path), limit - 1
        return response, path
