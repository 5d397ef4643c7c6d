"""Sealed envelopes and the keys that open them: the crypto primitives, the key store beside the
history, the keys this copy holds. Below the records and the indexes, which open what they read;
who may read what (audiences, sealing by policy, erasure) is ``core/privacy`` above the access layer.
"""
