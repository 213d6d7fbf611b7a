"""OpenRosa 1.0: Homeward as the server of ODK Collect, Enketo and ODK Web Forms.

See docs/openrosa.md.
"""
