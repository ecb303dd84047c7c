"""Interview use cases, one module per area (booking, matching, lifecycle, calendar, …)."""
