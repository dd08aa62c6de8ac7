#!/usr/bin/env python
"""The test Wagtail site's manage.py, run with the site's own interpreter (wagtail_support)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
