from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404


def doctor_required(view):
    """Logged in with a doctor's account; a psychologist is told the page does not exist."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role != request.user.Role.GP:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
