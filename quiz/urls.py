"""URL routes."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from quiz.accounts import views as account_views
from quiz.learners import views as learner_views
from quiz.progress import views as progress_views
from quiz.runs import views as code_views
from quiz.study import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("decks/", views.deck_list, name="decks"),
    path("decks/<slug:slug>/study/", views.study, name="study"),
    path("decks/<slug:slug>/undo/", views.undo, name="undo"),
    path("decks/<slug:slug>/anki.apkg", learner_views.anki_download, name="anki_download"),
    path("decks/<slug:slug>/more/", views.study_more, name="study_more"),
    path("decks/<slug:slug>/unsuspend/", views.unsuspend, name="unsuspend"),
    path("study/<uuid:token>/bury/", views.mark, {"what": "bury"}, name="bury"),
    path("study/<uuid:token>/suspend/", views.mark, {"what": "suspend"}, name="suspend"),
    path("study/<uuid:token>/flag/", views.mark, {"what": "flag"}, name="flag"),
    path("study/<uuid:token>/check/", views.check, name="check"),
    path("study/<uuid:token>/answer/", views.answer, name="answer"),
    path("study/<uuid:token>/code/", code_views.submit, name="code_submit"),
    path("runs/<uuid:run_id>/", code_views.run_status, name="run_status"),
    path("study/<uuid:token>/reference/", code_views.reference_status, name="reference_status"),
    path("settings/", learner_views.settings_page, name="learner_settings"),
    path("cards/marked/", learner_views.marked_cards, name="marked_cards"),
    path(
        "cards/marks/<int:mark_id>/unflag/",
        learner_views.lift_mark,
        {"what": "flag"},
        name="unflag_card",
    ),
    path(
        "cards/marks/<int:mark_id>/unsuspend/",
        learner_views.lift_mark,
        {"what": "suspend"},
        name="unsuspend_card",
    ),
    path("progress/", progress_views.my_progress, name="progress"),
    path("progress/retention/<slug:slug>/", progress_views.set_retention, name="set_retention"),
    path("progress/my-reviews.csv", progress_views.export_my_reviews, name="export_my_reviews"),
    path("progress/learners/", progress_views.cohort, name="cohort"),
    path(
        "progress/learners/<int:user_id>/", progress_views.learner_detail, name="learner_progress"
    ),
    path(
        "progress/learners/<int:user_id>/fit/",
        progress_views.fit_parameters,
        name="fit_parameters",
    ),
    path("progress/decks/", progress_views.deck_index, name="deck_insights_index"),
    path("progress/decks/<slug:slug>/", progress_views.deck_detail, name="deck_insights"),
    path("progress/export/reviews.csv", progress_views.export_reviews, name="export_reviews"),
    path("progress/export/runs.csv", progress_views.export_runs, name="export_runs"),
    path("author/", include("quiz.authoring.urls")),
    path("admin/", admin.site.urls),
]
