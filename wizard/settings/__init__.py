"""The system settings every layer reads, below the pages that edit them (wizard.setup): the values with
their audit and encryption (values.py), the settings as data (registry.py), and the site address (address.py).
"""
