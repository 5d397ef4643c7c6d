"""Screens of the custtui TUI."""
