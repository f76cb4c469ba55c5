"""Blueprints: thin views that parse a form, call domain/ and render."""
