"""The ``custtui`` command line."""
