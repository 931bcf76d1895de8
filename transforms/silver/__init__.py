"""Silver: canonical customers and interactions, standardised field by field, with quarantine reasons."""
