"""The rules of the reception, free of requests and responses."""
