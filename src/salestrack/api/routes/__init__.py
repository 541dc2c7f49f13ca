"""Routes that are not plain record resources: sign-in and tokens, audit, webhooks."""
