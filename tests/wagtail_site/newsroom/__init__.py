"""A minimal Wagtail site that portal-blocks' tests read articles from over wagtail-grapple."""
