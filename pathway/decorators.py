from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def psychologist_required(view):
    """Logged in as a psychologist; anyone else is told the page does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_psychologist:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
