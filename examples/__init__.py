"""Example host apps that embed portal-blocks."""
