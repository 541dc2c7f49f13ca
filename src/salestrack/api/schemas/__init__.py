"""Request and response bodies, one module per resource group; each resource declared once."""
