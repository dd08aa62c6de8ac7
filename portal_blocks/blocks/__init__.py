"""Block types as the domain knows them: the registry and the marshmallow half of settings.

Importing this package registers nothing; the built-in types live in
:mod:`portal_blocks.block_types` and are registered by the app at creation.
"""
