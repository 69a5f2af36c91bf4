"""Ambidex: a citation-linked knowledge base on sales ambidexterity.

The core package: the content model, the one loader, the checks and the command line.
"""

__version__ = "0.1.0"
