"""Columns over snapshot rows and the renderers that print them; the attachment's framing."""
