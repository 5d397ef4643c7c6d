"""custtui: a git-backed customer archive (客户档案) for Chinese companies."""

__version__ = "0.1.0"
