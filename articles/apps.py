from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self) -> None:
        from .page_cache import connect_signals
        from .static_site import rebuilds

        connect_signals()
        rebuilds.connect_signals()
