"""The application shell: the ``sitegw`` command, the running gateway (drivers, rules, vision and the
gateway's services wired together), the demo, replay and the rules' warm-up from the local store."""
