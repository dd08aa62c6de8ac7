"""Page assembly: from a path to a plain page view, every block's data already fetched."""
