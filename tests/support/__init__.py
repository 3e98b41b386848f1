"""Helpers shared by the tests: factories, fixtures data, browser set-up. Not collected by pytest."""
