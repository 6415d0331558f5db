"""evalcheck: the business-environment evaluation checklist (营商环境测评指标责任清单)."""

__version__ = "0.3.0"
