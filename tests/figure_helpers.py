"""Helpers shared by the figure tests."""

from __future__ import annotations

import hashlib

from collabcomm import figures, published, reconstruct


def hashes(paths):
    """SHA-256 of each file."""
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def draw_heatmaps():
    """Exhibit 3 beside a reconstruction's correlations (a figure of the reconstruction)."""
    figures.set_theme()
    d = reconstruct.schools(1)
    t = reconstruct.published_target()
    return figures.correlation_heatmaps(t.corr, d[t.variables].corr(), published.variable_labels())
