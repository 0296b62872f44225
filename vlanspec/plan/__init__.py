"""Planning: a pure ``diff(spec, live) -> Plan``, and plans as data."""
