"""Browser tests (Playwright driving the system Chromium)."""
