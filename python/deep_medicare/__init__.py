"""Deep Medicare: anomaly scoring for the CMS Medicare physician warehouse."""

__version__ = "0.1.0"
