"""A city's platform forwarding its ledger to the province's (issue #39 part 1).

The city (``sitegw regulator serve --forward-to URL --forward-id ID``): a PostgreSQL trigger queues each
changed row of the ledger in ``forward_outbox`` in the transaction that changed it (outbox.py), and the
forwarder (sender.py) sends the queued rows' current state to the province in signed batches, retrying
with backoff until the province's receipt names the batch, then deletes them; it also polls the province
for the decisions it took on the city's records (listed supervision, down.py).

The province (any regulator with cities registered by ``sitegw regulator add-city``, kept by cities.py):
regulator/routes/forwarding.py checks the city's signature (trust.py what the city may write), apply.py keeps
each record once by (city, kind, the city's id) in its own tables, so its users see the city's projects and
hazards under the city's place in their jurisdiction tree.
"""
