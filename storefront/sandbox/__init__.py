"""Sandbox upstream: a WSGI stand-in for the Cryptorefills partner API."""
