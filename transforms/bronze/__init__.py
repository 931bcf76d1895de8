"""Bronze: raw source rows with their load metadata."""
