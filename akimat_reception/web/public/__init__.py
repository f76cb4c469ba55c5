from . import writing  # noqa: F401, E402  (its routes are the reception's: /<akimat>/letters/new...)
from .home import bp as home_bp
from .reception import bp as reception_bp

__all__ = ["home_bp", "reception_bp"]
