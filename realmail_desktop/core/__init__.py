"""Core: events and the bus, the error hierarchy, logging and settings. Imports nothing else of ours."""
