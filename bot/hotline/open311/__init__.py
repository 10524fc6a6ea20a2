"""Open311 GeoReport v2 as a hotline: the client and the status poller."""
