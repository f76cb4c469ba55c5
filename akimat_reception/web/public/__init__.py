from .home import bp as home_bp
from .reception import bp as reception_bp

__all__ = ["home_bp", "reception_bp"]
