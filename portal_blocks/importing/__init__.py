"""Importing the legacy portal's articles: page text and JSON Lines, with their old addresses.

Above both content (articles) and layout (routes): an import writes articles and the routes that
keep their legacy addresses working.
"""
