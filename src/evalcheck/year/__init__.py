"""Year over year: matching last year's indicators, the mapping file, carry."""
