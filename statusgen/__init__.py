"""statusgen: a static incident status site generator for teams that keep incidents in git."""

__version__ = "0.1.0"
