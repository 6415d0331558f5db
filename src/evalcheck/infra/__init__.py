"""Files, YAML, the parse cache, the clock and the operating system: used by every layer."""
