from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self) -> None:
        from .page_cache import connect_signals
        from .rendered_answers import queue_if_stale
        from .static_site import rebuilds

        connect_signals()
        rebuilds.connect_signals()
        # A new renderer (RENDERER_VERSION bumped) ships with a deploy, which
        # migrates: the worker then renders the stale answers again.
        post_migrate.connect(queue_if_stale, sender=self, dispatch_uid="answers")
