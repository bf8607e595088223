"""screenings: a festival and screening tracker."""

__version__ = "0.1.0"
