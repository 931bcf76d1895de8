"""Splink settings and trained Fellegi-Sunter models, stored as JSON."""
