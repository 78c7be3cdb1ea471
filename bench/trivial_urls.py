"""The site's URLs plus /bench/trivial/: a Django view that does nothing, the
floor of any response from the same server."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial),
    path("", include("quicktakes.urls")),
]
