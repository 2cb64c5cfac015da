"""Device simulators: Modbus black boxes (cranes, hoists) and anemometers (pymodbus servers), pit data
loggers, formwork monitors and access gates (MQTT)."""
