"""guanxi: a graph of public-money registers, and the patterns that find petty corruption in it."""

__version__ = "0.1.0"
