"""Platform seams: configuration, Spark session, table storage, source readers, quality gates."""
