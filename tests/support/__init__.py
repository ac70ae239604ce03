"""What the tests and the benchmarks share: a hand-moved clock, the local fake Bot API, the
SMTP and webhook servers that receive alerts, and a web chat served on a free port."""
