"""Great Expectations suites, one JSON file per table, versioned with the code."""
