"""Turning plans and diagnostics into text, JSON, Markdown and CI annotations; decides nothing."""
