"""Examples: a host app that embeds portal-blocks (host_app.py), a block type in a package of
its own (notice_block/, a distribution installed with pip, not imported from here), and what a
Wagtail site adds to announce its publishes to portal-blocks' webhook (wagtail_hooks.py)."""
