"""A room's record out of carebook: printed, vitals CSV, FHIR; the break-glass step."""
