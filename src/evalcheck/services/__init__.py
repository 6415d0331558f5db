"""Use cases: one function each, called by the command line in a few lines."""
