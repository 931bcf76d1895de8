"""Why entity resolution cannot go on."""

from __future__ import annotations

from golden_record.lakehouse.errors import PipelineError


class LinkageError(PipelineError):
    """Entity resolution cannot go on (bad spec, model that does not fit the spec, untrainable model)."""


class ModelNotTrainedError(LinkageError):
    """Training produced a model that must not be saved: EM did not converge or some levels have no m/u estimate."""
