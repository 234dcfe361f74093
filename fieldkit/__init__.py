"""fieldkit: an offline catalog of munitions and weapon debris, its markings and components."""

__version__ = "0.1.0"
