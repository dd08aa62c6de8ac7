# This site's part of default.vcl: where the origin is, and who may purge (the origin's
# hosts). Copy it next to your Varnish configuration and change both.
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 10s;
    # /readyz (under PORTAL_BLOCKS_URL_PREFIX, if the blocks have one) answers 503 while the
    # origin's database is down: Varnish then gives readers the pages it kept, past their
    # max-age, instead of the origin's error.
    .probe = {
        .url = "/readyz";
        .interval = 5s;
        .timeout = 2s;
        .window = 3;
        .threshold = 2;
    }
}

acl portal_blocks_purgers {
    "127.0.0.1";
    "::1";
}
