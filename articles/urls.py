"""Public URLs. Article URLs are the files' own: /learn/<subject>/questions/<slug>,
with or without a trailing slash."""

from django.urls import path, re_path

from . import views

app_name = "articles"

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"

urlpatterns = [
    path("", views.home, name="home"),
    path("learn/", views.subject_index, name="subject_index"),
    path("search/", views.search, name="search"),
    re_path(
        rf"^learn/(?P<subject_slug>{SLUG})/$", views.subject_detail, name="subject"
    ),
    re_path(rf"^learn/(?P<subject_slug>{SLUG})$", views.subject_detail),
    re_path(
        rf"^learn/(?P<subject_slug>{SLUG})/questions/(?P<slug>{SLUG})/?$",
        views.article_detail,
        name="article",
    ),
]
