"""The error every stage raises for problems a user must fix; the CLI prints it without a traceback."""


class PipelineError(RuntimeError):
    """A problem with the input, the configuration or a quality gate, explained in its message."""
