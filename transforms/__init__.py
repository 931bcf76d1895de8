"""Pure DataFrame-to-DataFrame logic: standardisation, taxonomy, linkage features, survivorship."""
