from django.shortcuts import render

from gonghui.core.exceptions import ApplicationError


class ApplicationErrorMiddleware:
    """Pages show an ApplicationError that no view caught as a Chinese error page with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApplicationError) and not request.path.startswith("/api/"):
            return render(request, "error.html", {"error": exception}, status=exception.status_code)
        return None
