# This site's part of default.vcl: where the origin is, and who may purge (the origin's
# hosts). Copy it next to your Varnish configuration and change both.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 10s;
}

acl portal_blocks_purgers {
    "127.0.0.1";
    "::1";
}
