"""What gateways send in: the signed protocol's receiving end (``receive``: authenticate, validate, store,
and the ``Refusal`` every endpoint answers with), its event-loop path (``on_loop``, ``group_commit``), and
flood control of warnings resolved within minutes (``held``)."""
