"""Package marker: ships indicators.yaml inside the wheel as evalcheck.data."""
