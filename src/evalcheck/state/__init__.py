"""The state of every indicator, computed once per command.

Snapshot, deadlines, selection, reminders, rules and plausibility.
"""
