"""The portal's snap-a-car page: a form that posts a photo and shows the suggestions.

Works as a plain form post; with htmx only the results region is swapped.
"""

from django.http import HttpRequest, HttpResponse

from snapcar.conf import upload_limits
from snapcar.forms import SnapcarForm
from snapcar.selectors import snapcar_query
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import render_varying, wants_fragment
from vendingstore.ratelimit import ratelimit_anonymous_post
from vendingstore.uploads import upload_bytes


@ratelimit_anonymous_post
def snapcar_page(request: HttpRequest) -> HttpResponse:
    # Anonymous and costly (a decode and a network pass): the portal's per-address limit on
    # anonymous POSTs covers it (the decorator above).
    form = SnapcarForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "answer": None, "error": None}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                context["answer"] = snapcar_query(
                    image=upload_bytes(upload=form.cleaned_data["photo"], limits=upload_limits())
                )
            except ApplicationError as exc:
                context["error"], status = exc.message, exc.status_code
        else:
            status = 400
    template = "snapcar/snapcar_results.html" if wants_fragment(request) else "snapcar/snapcar.html"
    return render_varying(request, template, context, status=status)
