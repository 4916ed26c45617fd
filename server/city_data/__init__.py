"""The city's own copy of its data: written by `carebook export`, loaded by `carebook import`."""
