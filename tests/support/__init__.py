"""Helpers shared by the test suite (external checker harness lives in checkers.py)."""
