"""The site's news articles: one Wagtail page type, shaped like a portal-blocks article."""
