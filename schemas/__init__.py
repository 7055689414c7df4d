"""The JSON Schemas of schemas/, installed as package data."""
