"""storeteam: the platform every team of an online store runs the store on."""

__version__ = "0.1.0"
