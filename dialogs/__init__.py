"""The pure dialog domain: schema and loader, engine, scoring, risk screen. No I/O."""
