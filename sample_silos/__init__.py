"""Seeded generator of realistic siloed customer data for a DACH/Nordic retailer."""
