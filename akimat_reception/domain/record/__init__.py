"""The sealed record of every akimat: a Merkle log (RFC 6962) of salted commitments to every row
that must never change, with signed checkpoints (C2SP) that leave the installation.

merkle.py and note.py are pure (the independent verifier uses them as they are); content.py says
what each entry commits to; log.py seals, integrates and proves; audit.py verifies; keys.py holds
the signing key; publish.py and witnesses.py send checkpoints out."""
