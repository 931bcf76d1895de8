"""Gold: golden ids, survivorship, cross-reference, customer 360 and timeline."""
