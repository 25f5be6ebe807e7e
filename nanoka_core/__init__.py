"""nanoka: Python models to a running Cloudflare D1 database.

Model authors use ``t``, ``define_model`` and ``Model``; plugin authors use
``hookimpl``, ``Stage``, ``Column`` and ``Field``.
"""

from __future__ import annotations

import pluggy

from nanoka_core.codegen import Column
from nanoka_core.fields import Field, t
from nanoka_core.models import Model, define_model
from nanoka_core.pipeline import Stage

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("nanoka")
"""Marks a plugin function as an implementation of a ``nanoka_*`` hook."""

__all__ = ["Column", "Field", "Model", "Stage", "__version__", "define_model", "hookimpl", "t"]
