"""Where articles come from: our own tables by default, or a host CMS through an adapter."""
