"""Orchestration of each CLI command: plain functions the CLI and tests call."""
