"""Moving in: the city's files from its current vendor, or a carebook export."""
