"""salestrack: capture sales activities with their outcomes and measure which ones win deals."""

__version__ = "0.1.0"
