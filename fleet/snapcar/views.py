"""The portal's snap-a-car page: a form that posts a photo and shows the suggestions.

Works as a plain form post; with htmx only the results region is swapped.
"""

from django.http import HttpRequest, HttpResponse

from fleet.snapcar.forms import SnapcarForm
from fleet.snapcar.images import upload_read
from fleet.snapcar.selectors import snapcar_query
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import render_varying, wants_fragment
from vendingstore.ratelimit import ratelimit_anonymous_post


@ratelimit_anonymous_post
def snapcar_page(request: HttpRequest) -> HttpResponse:
    form = SnapcarForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "answer": None, "error": None}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                context["answer"] = snapcar_query(image=upload_read(form.cleaned_data["photo"]))
            except ApplicationError as exc:
                context["error"], status = exc.message, exc.status_code
        else:
            status = 400
    template = "fleet/snapcar_results.html" if wants_fragment(request) else "fleet/snapcar.html"
    return render_varying(request, template, context, status=status)
