"""The app object for WSGI servers (``gunicorn 'portal_blocks.wsgi:app'``), configured from the
``PORTAL_BLOCKS_*`` environment variables."""

from portal_blocks.app import create_app
from portal_blocks.memory import keep_large_blocks_off_the_heap

keep_large_blocks_off_the_heap()
app = create_app()
