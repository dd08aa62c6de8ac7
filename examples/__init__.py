"""Examples: a host app that embeds portal-blocks (host_app.py), and a block type in a package
of its own (notice_block/, a distribution installed with pip, not imported from here)."""
