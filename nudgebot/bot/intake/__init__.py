"""Where updates come from: long polling and the inbox, the webhook server, the console."""
