"""The site's URLs under /moved/, for test_paths."""

from django.urls import include, path

urlpatterns = [path("moved/", include("articles.urls"))]
