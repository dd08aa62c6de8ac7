"""The app object for WSGI servers (``gunicorn 'portal_blocks.wsgi:app'``), configured from the
``PORTAL_BLOCKS_*`` environment variables.

With ``--preload`` the app is built once and the workers share it (see
:func:`portal_blocks.memory.share_startup_objects`); without, each worker builds its own and
its collections still skip what it built at startup."""

from portal_blocks.app import create_app
from portal_blocks.memory import keep_large_blocks_off_the_heap, share_startup_objects

keep_large_blocks_off_the_heap()
app = create_app()
share_startup_objects()
