"""Widgets of the custtui TUI."""
