"""The yardstick: a bare Flask "hello world", served exactly as the site is."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
