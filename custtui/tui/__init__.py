"""The Textual front end: a thin layer over ``custtui.core``."""
