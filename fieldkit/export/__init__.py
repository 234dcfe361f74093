"""Exports of the catalog for reports."""
