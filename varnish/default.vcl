# Varnish 7 in front of portal-blocks: readers at internet scale, purged exactly by the origin.
#
# Use as is: varnishd -f /path/to/varnish/default.vcl -p vcl_path=/etc/varnish:/path/to/varnish
# with the site's own portal_blocks_site.vcl (the backend and who may purge) found first on
# vcl_path; this folder's one is an example for a single host (origin on 127.0.0.1:8000).
#
# - Only what the origin marks `Cache-Control: public` is kept, for its max-age.
# - Editors (Authorization, the workspace's pb_editor cookie) and readers with a display
#   preference (the pb_viewer cookie: their own text size) always go to the origin.
# - The origin files every cacheable answer under xkey keys (what it read), and on each commit
#   sends `PURGE` with the keys in `xkey-purge` (PORTAL_BLOCKS_EDGE_PURGE_URLS); only addresses
#   in the `portal_blocks_purgers` ACL may purge.
# - Past its max-age a page is kept a day more, for when the origin cannot answer: while the
#   backend's probe (see portal_blocks_site.vcl) finds it sick, readers get the last good copy
#   (`X-Edge-Cache: stale`) rather than an error; while it is healthy, an expired copy is given
#   for at most 10 s more, as it is fetched anew. A purge still drops a copy at once.
vcl 4.1;

import std;
import xkey;

include "portal_blocks_site.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ portal_blocks_purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in xkey-purge"));
        }
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(pb_editor|pb_viewer)=") {
        return (pass);
    }
    # No other cookie (analytics, a host's own) changes what we answer.
    unset req.http.Cookie;
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_backend_response {
    if (bereq.is_bgfetch && beresp.status >= 500) {
        # The refresh of an expired copy failed (the origin or its database down): the copy
        # stays, and is given again.
        return (abandon);
    }
    if (beresp.http.Cache-Control !~ "(^|[ ,])public([ ,]|$)" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    set beresp.grace = 24h;
}

sub vcl_deliver {
    if (obj.hits > 0 && obj.ttl < 0s) {
        set resp.http.X-Edge-Cache = "stale";
    } elsif (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "hit";
    } else {
        set resp.http.X-Edge-Cache = "miss";
    }
    # The keys are for purging, not for readers.
    unset resp.http.xkey;
}
