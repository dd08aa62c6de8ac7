"""The app object for WSGI servers (``gunicorn 'portal_blocks.wsgi:app'``), configured from the
``PORTAL_BLOCKS_*`` environment variables."""

from portal_blocks.app import create_app

app = create_app()
