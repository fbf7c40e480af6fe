"""Writes of the connectors app, one module per concern (import the module you need).

- `connectors`: connectors, their secrets and supplier mappings (the merchant owner's).
- `intake`: a shop's delivery arrives: verified, de-duplicated, stored, queued.
- `processing`: a stored delivery becomes orders, cancellations and parcels.

`intake` and `connectors` queue tasks; the tasks call `processing`, which queues nothing.
"""
