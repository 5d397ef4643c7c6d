"""Privacy under PIPL: what a copy may not read is stored sealed, and erasure destroys keys.

Where the key material lives (``paths``), the sealed envelope (``crypto``), the key store that
travels beside the history (``keystore``), the keys this copy holds (``keyring``), sealing records
and documents (``seal``) and erasure (``erase``). See ``docs/privacy.md``.
"""
