"""The checklist and its answer kinds: models, loading, validation, expressions, derived values."""
