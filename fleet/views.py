from django.http import HttpRequest, HttpResponse


def catalogue(request: HttpRequest) -> HttpResponse:
    return HttpResponse("catalogue")


def carmodel_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return HttpResponse(slug)
