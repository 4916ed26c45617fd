"""Tests that prove the test-support helpers against real libraries (no carebook server)."""
