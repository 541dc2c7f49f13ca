"""The command line: a thin edge over services, analytics and the simulator."""
