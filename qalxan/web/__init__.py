"""The public portal and the analyst pages: server-rendered Jinja2, no JavaScript needed."""
