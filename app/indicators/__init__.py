"""The action plan's indicators (docs/indicators.md): definitions, computation, the API."""
