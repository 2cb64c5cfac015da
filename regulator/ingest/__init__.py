"""What gateways send in: the signed protocol's receiving end (authenticate, validate, store), its event-loop path, and flood control of warnings resolved within minutes."""
