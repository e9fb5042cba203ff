from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from vendingstore.views import healthz


class HealthCheckMiddleware:
    """Answer /healthz before host validation and HTTPS redirects.

    Load balancers probe each machine by its private address, a Host that ALLOWED_HOSTS rightly
    refuses for everything else; the probe must still get the real answer, not a 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
