"""Tables, repositories (all SQL lives here), migrations, engines and sessions."""
