"""Routes of the Author area (under /author/)."""

from __future__ import annotations

from django.urls import path

from quiz.authoring import views

urlpatterns = [
    path("", views.home, name="author-home"),
    path("decks/new/", views.deck_new, name="author-deck-new"),
    path("upload/", views.upload, name="author-upload"),
    path("decks/<slug:slug>/", views.deck_detail, name="author-deck"),
    path("decks/<slug:slug>/edit/", views.deck_edit, name="author-deck-edit"),
    path("decks/<slug:slug>/delete/", views.deck_delete, name="author-deck-delete"),
    path("decks/<slug:slug>/copy/", views.deck_copy, name="author-deck-copy"),
    path("decks/<slug:slug>/download/", views.deck_download, name="author-deck-download"),
    path(
        "decks/<slug:slug>/download/<str:language>.md",
        views.deck_file,
        name="author-deck-file",
    ),
    path("decks/<slug:slug>/cards/new/<str:kind>/", views.card_new, name="author-card-new"),
    path(
        "decks/<slug:slug>/preview/<str:kind>/",
        views.card_preview,
        name="author-card-preview",
    ),
    path("decks/<slug:slug>/run/", views.card_run, name="author-card-run"),
    path(
        "decks/<slug:slug>/run/<uuid:proof_id>/",
        views.card_run_status,
        name="author-card-run-status",
    ),
    path("decks/<slug:slug>/cards/<slug:key>/", views.card_edit, name="author-card-edit"),
    path(
        "decks/<slug:slug>/cards/<slug:key>/delete/", views.card_delete, name="author-card-delete"
    ),
]
