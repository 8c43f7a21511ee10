"""The broadcast-room daemon (the distribution ``mall-broadcaster``, the command ``broadcaster``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mall-broadcaster")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
