"""Importing in the admin: the import batches, the "Import files" upload page,
a dry run's report with Confirm and Discard, and each batch's files.

Every page needs the permission articles.import_articles (the "Importers"
role); other staff get 403. Batches tell what happened: they are
never added, changed or deleted through the admin's forms, only by importing.
The work is done by articles.importing.batches, as for the command line.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from articles.importing.batches import (
    BatchNotPending,
    confirm_batch,
    discard_batch,
    run_again,
    start_upload_batch,
)
from articles.importing.uploads import UploadRefused, names_listed
from articles.models import ImportBatch, Outcome

FILES_PER_PAGE = 100
# How often a batch's page reloads itself while its job is queued or running.
REFRESH_SECONDS = 2
NAMES_LISTED = 3


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files; cleans to a list of them."""

    def __init__(self, *args, **kwargs):
        accept = {"accept": ".md,.txt,.zip"}
        kwargs.setdefault("widget", MultipleFileInput(attrs=accept))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        one_file = super().clean
        # No file at all is cleaned as None: "This field is required."
        files = (data if isinstance(data, list | tuple) else [data]) or [None]
        return [one_file(file, initial) for file in files]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Article files or .zip archives",
        help_text="Pick one or more .md or .txt article files, or .zip archives of "
        "them (folders inside a zip are fine). Nothing is imported until you have "
        "read the dry run's report and confirmed it.",
    )


def may_import(request) -> bool:
    return request.user.is_active and request.user.has_perm("articles.import_articles")


class ImportBatchAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "created_at",
        "who",
        "source",
        "state_in_words",
        *Outcome.values,
        "uploaded_files",
    ]
    list_filter = ["state", "source"]
    list_select_related = ["user"]
    list_per_page = 50
    change_list_template = "admin/articles/importbatch/change_list.html"

    def has_module_permission(self, request):
        return may_import(request)

    def has_view_permission(self, request, obj=None):
        return may_import(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Who")
    def who(self, batch):
        if batch.user:
            return batch.user.get_username()
        return "command line" if batch.source == batch.Source.COMMAND else "—"

    @admin.display(description="State", ordering="state")
    def state_in_words(self, batch):
        return batch.state_in_words

    @admin.display(description="Files")
    def uploaded_files(self, batch):
        return names_listed(batch.file_names, NAMES_LISTED)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="articles_importbatch_upload"),
            path(
                "<int:batch_id>/confirm/",
                wrap(self.confirm_view),
                name="articles_importbatch_confirm",
            ),
            path(
                "<int:batch_id>/discard/",
                wrap(self.discard_view),
                name="articles_importbatch_discard",
            ),
            path(
                "<int:batch_id>/run-again/",
                wrap(self.run_again_view),
                name="articles_importbatch_run_again",
            ),
            *super().get_urls(),
        ]

    def check_may_import(self, request) -> None:
        if not may_import(request):
            raise PermissionDenied

    def page_context(self, request, title: str, **context) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            **context,
        }

    def upload_view(self, request):
        """Pick files; on upload, stage them and queue their dry run, then show
        the batch, which follows the dry run as a worker runs it."""
        self.check_may_import(request)
        form = UploadForm()
        if request.method == "POST":
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    batch = start_upload_batch(
                        form.cleaned_data["files"], user=request.user
                    )
                except UploadRefused as refusal:
                    form.add_error("files", str(refusal))
                else:
                    return redirect(self.batch_url(batch))
        context = self.page_context(request, "Import article files", form=form)
        return TemplateResponse(
            request, "admin/articles/importbatch/upload.html", context
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A batch: its state and, while a job runs, its progress (the page
        reloads itself, without JavaScript too); then its counts and its files
        (by outcome, a page at a time), with Confirm and Discard while it is a
        dry run. Three queries."""
        self.check_may_import(request)
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            raise Http404(f"No import batch {object_id}")
        outcome = request.GET.get("outcome", "")
        files = batch.files.all()
        if outcome in Outcome.values:
            files = files.filter(outcome=outcome)
        else:
            outcome = ""
        page = Paginator(files, FILES_PER_PAGE).get_page(request.GET.get("page"))
        context = self.page_context(
            request,
            str(batch),
            batch=batch,
            page=page,
            outcome=outcome,
            outcome_counts=batch.counts.items(),
            dry_run_days=settings.IMPORT_DRY_RUN_DAYS,
            refresh_seconds=REFRESH_SECONDS if batch.is_working else None,
        )
        return TemplateResponse(
            request, "admin/articles/importbatch/batch.html", context
        )

    def confirm_view(self, request, batch_id):
        """Queue the import of a dry run's files (POST only)."""
        return self.settle(request, batch_id, apply=True)

    def run_again_view(self, request, batch_id):
        """Queue again the job of a batch whose worker died (POST only)."""
        self.check_may_import(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        try:
            batch = run_again(batch, user=request.user)
        except BatchNotPending as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            self.message_user(request, f"{batch} is queued again.", messages.SUCCESS)
        return redirect(self.batch_url(batch))

    def discard_view(self, request, batch_id):
        """Drop a dry run's staged files (POST only)."""
        return self.settle(request, batch_id, apply=False)

    def settle(self, request, batch_id, *, apply: bool):
        self.check_may_import(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = get_object_or_404(ImportBatch, pk=batch_id)
        try:
            if apply:
                batch = confirm_batch(batch, user=request.user)
            else:
                batch = discard_batch(batch)
        except BatchNotPending as error:
            self.message_user(request, str(error), messages.WARNING)
            return redirect(self.batch_url(batch))
        if apply:
            self.message_user(
                request, f"{batch} is being imported: this page shows how far."
            )
        else:
            self.message_user(request, f"{batch} was discarded: nothing was imported.")
        return redirect(self.batch_url(batch))

    def batch_url(self, batch: ImportBatch) -> str:
        return reverse("admin:articles_importbatch_change", args=[batch.pk])
