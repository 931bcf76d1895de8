"""The run report: what a pipeline run did, as one self-contained HTML page."""
