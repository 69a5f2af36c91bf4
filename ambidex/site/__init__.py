"""The published site: pages generated from the model (`pages`) and the MkDocs plugin (`plugin`)."""
