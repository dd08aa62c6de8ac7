"""Connects portal-blocks' webhook hooks when the environment names a webhook."""

import importlib.util

from django.apps import AppConfig
from django.conf import settings


class NewsConfig(AppConfig):
    name = "news"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        if not settings.PORTAL_BLOCKS_WEBHOOK_URL:
            return
        # Loaded from the examples folder by path, so the tests exercise the very lines a
        # Wagtail site is told to copy (a real site keeps them in one of its own apps).
        spec = importlib.util.spec_from_file_location(
            "portal_blocks_wagtail_hooks", settings.PORTAL_BLOCKS_HOOKS_FILE
        )
        assert spec is not None and spec.loader is not None
        hooks = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(hooks)
        hooks.connect(settings.PORTAL_BLOCKS_WEBHOOK_URL, settings.PORTAL_BLOCKS_WEBHOOK_SECRET)
