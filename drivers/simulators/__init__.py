"""Device simulators: Modbus black boxes and anemometers (pymodbus servers), pit data loggers (MQTT)."""
