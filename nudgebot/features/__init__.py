"""Features built on the platform: each one its rules, service, views and handlers."""
