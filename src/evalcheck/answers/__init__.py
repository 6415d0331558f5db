"""What people record: the answers file, its transactions, evidence, review and the work folder."""
