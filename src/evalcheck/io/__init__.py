"""Files in other formats: Excel, Word, the bureau's table, the evidence bundle."""
