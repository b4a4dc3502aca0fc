"""URL routes."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from quiz import code_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("decks/", views.deck_list, name="decks"),
    path("decks/<slug:slug>/study/", views.study, name="study"),
    path("decks/<slug:slug>/undo/", views.undo, name="undo"),
    path("study/<uuid:token>/check/", views.check, name="check"),
    path("study/<uuid:token>/answer/", views.answer, name="answer"),
    path("study/<uuid:token>/code/", code_views.submit, name="code_submit"),
    path("runs/<uuid:run_id>/", code_views.run_status, name="run_status"),
    path("admin/", admin.site.urls),
]
