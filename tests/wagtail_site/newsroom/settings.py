"""Settings of the test Wagtail site: everything the tests vary comes from the environment.

``WAGTAIL_SITE_DB``: the SQLite file (required, so that no run writes into the checkout; the
server and the ``manage.py`` calls that change content share it). ``PORTAL_BLOCKS_WEBHOOK_URL``
and ``PORTAL_BLOCKS_WEBHOOK_SECRET``: when the URL is set, the ``news`` app connects the hooks of
``examples/wagtail_hooks.py``, so each publish or unpublish in this process calls portal-blocks.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SITE_DIR = Path(__file__).resolve().parent.parent
#: The hooks file a Wagtail site copies; the test site loads it from the examples, unchanged.
PORTAL_BLOCKS_HOOKS_FILE = SITE_DIR.parents[1] / "examples" / "wagtail_hooks.py"
PORTAL_BLOCKS_WEBHOOK_URL = os.environ.get("PORTAL_BLOCKS_WEBHOOK_URL", "")
PORTAL_BLOCKS_WEBHOOK_SECRET = os.environ.get("PORTAL_BLOCKS_WEBHOOK_SECRET", "")

if not os.environ.get("WAGTAIL_SITE_DB"):
    raise ImproperlyConfigured("set WAGTAIL_SITE_DB to the path of the site's SQLite file")

# A fixed key: this site only ever runs in tests, on loopback.
SECRET_KEY = "portal-blocks-test-wagtail-site-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "news",
    "grapple",
    "graphene_django",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["WAGTAIL_SITE_DB"],
        "OPTIONS": {
            # The server reads while a test's manage.py call writes: wait for the lock.
            "timeout": 20,
            # A test database: no fsync per commit (migrating otherwise takes many seconds).
            "init_command": "PRAGMA synchronous=OFF;",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ["WAGTAIL_SITE_DB"]).parent / "static"
MEDIA_ROOT = Path(os.environ["WAGTAIL_SITE_DB"]).parent / "media"
MEDIA_URL = "/media/"

WAGTAIL_SITE_NAME = "Cổng thông tin điện tử (thử nghiệm)"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAIL_SITE_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# grapple: expose the news app's models; the schema graphene-django serves at /graphql/.
GRAPPLE = {"APPS": {"news": ""}}
GRAPHENE = {"SCHEMA": "grapple.schema.schema"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    # The webhook hooks log a failed call as a warning: the tests read it on stderr.
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
