"""HTML: block and region templates, the demo theme, static assets."""
