"""Flask-WTF forms, one module per blueprint. Every message is translatable."""
